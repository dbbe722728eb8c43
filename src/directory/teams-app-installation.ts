import { type Graph, GraphRequestError } from './graph.js';
import { graphTrouble } from './graph-trouble.js';
import { graphPath, odataString, userPath } from './query.js';

/**
 * The application permission that lets the bot's Teams app install itself, and only itself, for
 * any user: optional, granted by an administrator (docs/permissions.md).
 * https://learn.microsoft.com/microsoftteams/platform/graph-api/proactive-bots-and-messages/graph-proactive-bots-and-messages#permissions
 */
export const PROACTIVE_INSTALL_PERMISSION = 'TeamsAppInstallation.ReadWriteSelfForUser.All';

/**
 * Installs the bot's Teams app in one person's personal scope and finds the 1:1 chat that creates,
 * the three calls "Send proactive installation messages" documents:
 * https://learn.microsoft.com/microsoftteams/platform/graph-api/proactive-bots-and-messages/graph-proactive-bots-and-messages
 * 1. Install: `POST /users/{id}/teamwork/installedApps` with `teamsApp@odata.bind` to the app's
 *    catalog entry; 201 Created, no body (https://learn.microsoft.com/graph/api/userteamwork-post-installedapps).
 *    An app already installed for them answers 409 Conflict (Microsoft's own proactive-installation
 *    sample counts a 409 as "existing": OfficeDev/Microsoft-Teams-Samples,
 *    samples/graph-proactive-installation/nodejs/bots/proactiveBot.js; and
 *    microsoftgraph/microsoft-graph-docs-contrib#3686, "the expected 409 Conflict"), so it goes on.
 * 2. The installation's id: `GET /users/{id}/teamwork/installedApps?$expand=teamsApp&$filter=teamsApp/id eq '{teamsAppId}'`,
 *    an empty array when not installed, one teamsAppInstallation when it is
 *    (https://learn.microsoft.com/graph/api/userteamwork-list-installedapps).
 * 3. The chat: `GET /users/{id}/teamwork/installedApps/{installationId}/chat` (supports `$select`);
 *    its `id` is the chatId (https://learn.microsoft.com/graph/api/userscopeteamsappinstallation-get-chat).
 * Every failure is worded by graph-trouble; a 403 names the permission.
 */
export class TeamsAppInstaller {
  constructor(
    private readonly graph: Graph,
    /** The app's id in the organization's app catalog (TEAMS_APP_CATALOG_ID), not the manifest id. */
    private readonly teamsAppId: string,
    /** Graph's version root (national clouds differ), for the `@odata.bind` link. */
    private readonly graphBaseUrl: string,
  ) {}

  async installFor(userId: string): Promise<{ chatId: string } | { problem: string }> {
    const installedApps = `${userPath(userId)}/teamwork/installedApps`;
    try {
      try {
        // A change: never repeated after a timeout (a second POST would only answer 409, but says nothing new).
        await this.graph.postChange(installedApps, {
          'teamsApp@odata.bind': `${this.graphBaseUrl}/appCatalogs/teamsApps/${encodeURIComponent(this.teamsAppId)}`,
        });
      } catch (error) {
        if (!(error instanceof GraphRequestError && error.status === 409)) throw error;
      }
      const listed = await this.graph.get<{ value?: { id?: string }[] }>(
        graphPath(installedApps, {
          $expand: 'teamsApp',
          $filter: `teamsApp/id eq ${odataString(this.teamsAppId)}`,
        }),
      );
      const installationId = listed.value?.[0]?.id;
      if (!installationId) return { problem: 'Microsoft Graph does not list the app as installed for them' };
      const chat = await this.graph.get<{ id?: string }>(
        graphPath(`${installedApps}/${encodeURIComponent(installationId)}/chat`, { $select: 'id' }),
      );
      if (!chat.id) return { problem: 'Microsoft Graph named no chat between them and the app' };
      return { chatId: chat.id };
    } catch (error) {
      return { problem: graphTrouble(error, PROACTIVE_INSTALL_PERMISSION).reason };
    }
  }
}
