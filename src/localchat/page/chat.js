// The local chat page: one 1:1 chat with the bot per person, like separate Teams clients side by
// side, and one group chat everyone is in. Messages come from the server's transcript (what was
// typed, what the bot sent through the fake Bot Connector); card buttons go to the bot as Teams'
// adaptiveCard/action invokes. In the group chat each person sees their own view of a card with
// `refresh`: their client asks the bot for it, as Teams does (Universal Actions user-specific views).
import { renderMarkdown } from './markdown.js';

const { AdaptiveCard, HostConfig, ChoiceSetInput, Choice } = window.AdaptiveCards;
const CARD = 'application/vnd.microsoft.card.adaptive';
const SEARCH_RESPONSE = 'application/vnd.microsoft.search.searchResponse';
const MESSAGE = 'application/vnd.microsoft.activity.message';
const POLL_MS = 700;

AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = renderMarkdown(text);
  result.didProcess = true;
};

const foreground = (color, subtle) => ({ default: color, subtle });
const foregroundColors = {
  default: foreground('#242424', '#616161'),
  accent: foreground('#6264A7', '#8B8CC7'),
  good: foreground('#237B4B', '#4CAF50'),
  warning: foreground('#C4590A', '#E68A42'),
  attention: foreground('#C4314B', '#E0637A'),
  dark: foreground('#252423', '#484644'),
  light: foreground('#FFFFFF', '#F3F2F1'),
};
const hostConfig = new HostConfig({
  fontFamily: "'Segoe UI', system-ui, -apple-system, sans-serif",
  supportsInteractivity: true,
  spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 14 },
  separator: { lineThickness: 1, lineColor: '#E1DFDD' },
  fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
  fontWeights: { lighter: 300, default: 400, bolder: 600 },
  containerStyles: {
    default: { backgroundColor: '#FFFFFF', foregroundColors },
    emphasis: { backgroundColor: '#F5F5F5', foregroundColors },
    accent: { backgroundColor: '#E8EBFA', foregroundColors },
    good: { backgroundColor: '#E7F2DA', foregroundColors },
    attention: { backgroundColor: '#FCF4F6', foregroundColors },
    warning: { backgroundColor: '#FBF6D9', foregroundColors },
  },
  actions: {
    maxActions: 6,
    spacing: 'default',
    buttonSpacing: 8,
    showCard: { actionMode: 'inline', inlineTopMargin: 12 },
    actionsOrientation: 'horizontal',
    actionAlignment: 'left',
  },
  factSet: { title: { weight: 'bolder', wrap: true, maxWidth: 150 }, value: { wrap: true }, spacing: 12 },
});

const picker = document.querySelector('#person');
const wherePicker = document.querySelector('#where');
const main = document.querySelector('#transcripts');
const composer = document.querySelector('#composer');
const input = composer.elements.text;

/** `${aadObjectId}|${where}` -> { person, where, list, option, since, counted, loaded, opened, unread } */
const chats = new Map();
let current;
const keyOf = (id, where) => `${id}|${where}`;

/** The browser's language and time zone, which the bot gets as Teams sends a client's. */
const CLIENT = { locale: navigator.language, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone };

async function api(path, body) {
  const init =
    body === undefined
      ? {}
      : {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...body, client: CLIENT }),
        };
  const response = await fetch(path, init);
  const payload = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, body: payload };
}

function labelOf(chat) {
  const { name, role } = chat.person;
  return `${name}${role ? ` — ${role}` : ''}${chat.unread ? ` (${chat.unread} new)` : ''}`;
}

function select(id, where = 'personal') {
  current = chats.get(keyOf(id, where));
  for (const chat of chats.values()) chat.list.hidden = chat !== current;
  current.unread = 0;
  if (where === 'personal') current.option.textContent = labelOf(current);
  picker.value = id;
  wherePicker.value = where;
  history.replaceState(null, '', `#as=${encodeURIComponent(id)}${where === 'group' ? '&in=group' : ''}`);
  // Opening the 1:1 chat installs the app for this person once; the bot greets them.
  if (!current.opened) {
    current.opened = true;
    const chat = current;
    if (where === 'personal')
      api('/api/open', { as: id })
        .then(({ ok, body }) => ok || systemLine(chat, body.error ?? 'The bot could not be reached.'))
        .catch(() => systemLine(chat, 'The chat server did not answer.'));
  }
  scrollToEnd();
  input.focus();
}

function scrollToEnd() {
  main.scrollTop = main.scrollHeight;
}

function systemLine(chat, text) {
  const item = document.createElement('li');
  item.className = 'message system';
  item.textContent = text;
  chat.list.append(item);
  if (chat === current) scrollToEnd();
}

function messageItem(chat, id, from, senderName = chat.person.name) {
  const item = document.createElement('li');
  item.className = `message ${from}`;
  item.dataset.activityId = id;
  const sender = document.createElement('div');
  sender.className = 'sender';
  sender.textContent = from === 'bot' ? 'SSAR Helpdesk' : senderName;
  const body = document.createElement('div');
  body.className = 'body';
  item.append(sender, body);
  return item;
}

function findMessage(chat, id) {
  return [...chat.list.children].find((item) => item.dataset.activityId === id);
}

/** One transcript entry: something this person typed, a bot message, or a bot message replaced. */
function show(chat, entry) {
  if (entry.kind === 'said') {
    const pending = [...chat.list.querySelectorAll('.pending')].find(
      (item) => item.querySelector('.body').textContent === entry.activity.text,
    );
    if (pending) {
      pending.classList.remove('pending');
      pending.dataset.activityId = entry.id;
    } else if (!findMessage(chat, entry.id)) {
      const item = messageItem(chat, entry.id, 'person', entry.activity.from?.name);
      item.querySelector('.body').textContent = entry.activity.text;
      chat.list.append(item);
    }
    return;
  }
  let item = findMessage(chat, entry.id);
  if (!item) {
    item = messageItem(chat, entry.id, 'bot');
    chat.list.append(item);
  }
  renderBotMessage(chat, item, entry.activity);
}

function renderBotMessage(chat, item, activity) {
  const body = item.querySelector('.body');
  body.replaceChildren();
  if (activity.text) {
    const text = document.createElement('div');
    text.className = 'text';
    text.innerHTML = renderMarkdown(activity.text);
    body.append(text);
  }
  for (const attachment of activity.attachments ?? []) {
    const container = document.createElement('div');
    // In the message first: a group chat's refresh names the message the card is in.
    body.append(container);
    if (attachment.contentType === CARD) {
      container.className = 'card';
      container.dataset.card = '';
      renderCard(chat, container, attachment.content);
    } else {
      container.className = 'status';
      container.textContent = `(an attachment of type ${attachment.contentType} that this page does not show)`;
    }
  }
}

function renderCard(chat, container, content, { refreshed = false } = {}) {
  // In a group chat the card everyone gets may ask each viewer's client for their own view.
  if (chat.where === 'group' && content.refresh?.action && !refreshed) refreshForViewer(chat, container, content);
  const card = new AdaptiveCard();
  card.hostConfig = hostConfig;
  card.onExecuteAction = (action) => runAction(chat, container, action);
  // A people picker (Input.ChoiceSet with choices.data Data.Query) asks the bot as the person types, as Teams does.
  card.onInputValueChanged = (changed) => {
    if (changed instanceof ChoiceSetInput && changed.isDynamicTypeahead()) searchChoices(chat, changed);
  };
  let rendered;
  try {
    card.parse(content);
    rendered = card.render();
  } catch (error) {
    console.error('card could not be rendered', error, content);
  }
  container.replaceChildren(
    rendered ?? document.createTextNode('(a card this page could not render; see the browser console)'),
  );
  // The renderer names a people picker's text box only by its placeholder; give it the input's label, as Teams does.
  for (const box of container.querySelectorAll('.ac-choiceSetInput-filtered-container[aria-labelledby] > input')) {
    box.setAttribute('aria-labelledby', box.parentElement.getAttribute('aria-labelledby'));
  }
  // Tests and screen readers find buttons by their title.
  for (const button of container.querySelectorAll('button')) {
    if (!button.getAttribute('aria-label') && button.textContent.trim())
      button.setAttribute('aria-label', button.textContent.trim());
  }
}

/**
 * Sends the bot the `application/search` invoke Teams sends for a typeahead, and shows its results.
 * They become the input's choices, so picking "Jon Doe" submits Jon Doe's object id.
 */
async function searchChoices(chat, input) {
  const filter = input.getFilterForDynamicSearch() ?? '';
  // Just picked from the list (the box now holds that choice's title): nothing to look up.
  if (!filter.trim() || input.choices.some((choice) => choice.title === filter)) return;
  input.showLoadingIndicator();
  try {
    const { ok, body } = await api('/api/search', {
      as: chat.person.aadObjectId,
      dataset: input.choicesData.dataset,
      queryText: filter,
    });
    const results = ok && body?.type === SEARCH_RESPONSE ? body.value.results : [];
    input.choices.splice(0, input.choices.length, ...results.map((result) => new Choice(result.title, result.value)));
    input.renderChoices(filter, []);
  } catch {
    input.showErrorIndicator(filter, 'Unable to load');
  }
}

/**
 * What Teams does with a card's `refresh` in a chat of fewer than 60 people: this viewer's client
 * invokes the bot (trigger "automatic") and shows the card it answers, for this viewer only.
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views
 */
async function refreshForViewer(chat, container, content) {
  const messageId = container.closest('[data-activity-id]')?.dataset.activityId;
  if (!messageId) return;
  const { verb, data } = content.refresh.action;
  const { ok, body } = await api('/api/invoke', {
    as: chat.person.aadObjectId,
    in: chat.where,
    verb,
    data: data ?? {},
    replyToId: messageId,
    trigger: 'automatic',
  }).catch(() => ({ ok: false, body: {} }));
  if (ok && body.type === CARD) renderCard(chat, container, body.value, { refreshed: true });
}

function statusUnder(container, text) {
  let status = container.nextElementSibling;
  if (!status?.classList.contains('status')) {
    status = document.createElement('p');
    status.className = 'status';
    status.setAttribute('role', 'status');
    container.after(status);
  }
  status.textContent = text;
  if (!text) status.remove();
}

async function runAction(chat, container, action) {
  const type = action.getJsonTypeName();
  if (type === 'Action.OpenUrl') {
    if (/^https?:\/\//i.test(action.url ?? '')) window.open(action.url, '_blank', 'noopener');
    return;
  }
  if (type === 'Action.Submit') {
    statusUnder(container, "Action.Submit is not wired up in this chat; the bot's cards use Action.Execute.");
    return;
  }
  // The renderer itself handles Action.ShowCard and Action.ToggleVisibility.
  if (type !== 'Action.Execute') return;
  // Teams sends the id of the message holding the card, so the bot can replace it.
  const messageId = container.closest('[data-activity-id]').dataset.activityId;
  container.setAttribute('aria-busy', 'true');
  statusUnder(container, 'Working…');
  try {
    // action.data already holds the card's input values merged in by the renderer.
    const { ok, status, body } = await api('/api/invoke', {
      as: chat.person.aadObjectId,
      in: chat.where,
      verb: action.verb,
      data: action.data ?? {},
      replyToId: messageId,
    });
    if (ok && body.type === CARD) {
      statusUnder(container, '');
      renderCard(chat, container, body.value, { refreshed: true });
    } else if (ok && body.type === MESSAGE) {
      statusUnder(container, String(body.value ?? ''));
    } else {
      const reason = body.value?.message ?? body.error?.message ?? body.error ?? `status ${body.statusCode ?? status}`;
      statusUnder(container, `The bot could not do that: ${reason}`);
    }
  } catch (error) {
    statusUnder(container, `The chat server did not answer: ${error.message}`);
  } finally {
    container.removeAttribute('aria-busy');
  }
}

async function send(event) {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  const chat = current;
  input.value = '';
  const item = messageItem(chat, '', 'person');
  item.classList.add('pending');
  item.querySelector('.body').textContent = text;
  chat.list.append(item);
  scrollToEnd();
  try {
    const { ok, status, body } = await api('/api/send', { as: chat.person.aadObjectId, in: chat.where, text });
    if (!ok) systemLine(chat, body.error ?? `The chat server answered ${status}.`);
    else if (body.status >= 400) systemLine(chat, `The bot refused that message (HTTP ${body.status}).`);
  } catch (error) {
    systemLine(chat, `The chat server did not answer: ${error.message}`);
  }
}

async function poll(chat) {
  // Only chats opened in this page are shown; the others are counted, so one person's browser does
  // not hold another's messages (a pass, say) until someone picks that person here.
  const showing = chat.opened;
  const since = showing ? chat.since : chat.counted;
  const { ok, body } = await api(
    `/api/activities?as=${encodeURIComponent(chat.person.aadObjectId)}&in=${chat.where}&since=${since}`,
  );
  if (!ok) return;
  if (showing) {
    for (const entry of body.entries) show(chat, entry);
    chat.since = body.next;
  } else chat.counted = body.next;
  const arrived = body.entries.filter((entry) => entry.kind !== 'said').length;
  if (chat === current) {
    if (body.entries.length) scrollToEnd();
  } else if (chat.loaded && arrived && chat.where === 'personal') {
    // A proactive message (an approval request, say) for someone else: show it in the picker.
    chat.unread += arrived;
    chat.option.textContent = labelOf(chat);
  }
  chat.loaded = true;
}

async function pollForever() {
  for (const chat of chats.values()) await poll(chat).catch(() => undefined);
  setTimeout(pollForever, POLL_MS);
}

async function start() {
  const { body: people } = await api('/api/people');
  for (const person of people) {
    const option = new Option('', person.aadObjectId);
    picker.append(option);
    for (const where of ['personal', 'group']) {
      const list = document.createElement('ol');
      list.className = 'transcript';
      list.hidden = true;
      list.setAttribute(
        'aria-label',
        where === 'group' ? `The group chat as ${person.name} sees it` : `${person.name}'s chat with the bot`,
      );
      list.setAttribute('aria-live', 'polite');
      main.append(list);
      const chat = { person, where, list, option, since: 0, counted: 0, loaded: false, opened: false, unread: 0 };
      chats.set(keyOf(person.aadObjectId, where), chat);
    }
    option.textContent = labelOf(chats.get(keyOf(person.aadObjectId, 'personal')));
  }
  const hash = new URLSearchParams(location.hash.slice(1));
  const wanted = hash.get('as');
  const wantedWhere = hash.get('in') === 'group' ? 'group' : 'personal';
  picker.addEventListener('change', () => select(picker.value, wherePicker.value));
  wherePicker.addEventListener('change', () => select(picker.value, wherePicker.value));
  composer.addEventListener('submit', send);
  // Like Teams: Enter sends, Shift+Enter starts a new line; a pasted error page keeps its lines.
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (input.value.trim()) composer.requestSubmit();
    }
  });
  for (const example of document.querySelectorAll('.example')) {
    example.addEventListener('click', () => {
      input.value = example.textContent;
      input.focus();
    });
  }
  select(chats.has(keyOf(wanted, 'personal')) ? wanted : people[0].aadObjectId, wantedWhere);
  pollForever();
  startEntra();
}

/**
 * Play Entra: the server builds the claims from the demo records and sends the signed callout to
 * the bot; the page shows only Entra's answer (never a claim value).
 */
async function startEntra() {
  const panel = document.querySelector('#entra');
  const form = document.querySelector('#entra-callout');
  const answer = document.querySelector('#entra-answer');
  const { ok, body } = await api('/api/entra/people');
  if (!ok) return;
  for (const person of body.people) {
    const option = new Option(`${person.name} (${person.userPrincipalName})`, person.userPrincipalName);
    option.dataset.namesake = String(person.hasNamesake);
    form.elements.person.append(option);
  }
  for (const scenario of body.scenarios) form.elements.scenario.append(new Option(scenario.label, scenario.id));
  const fitScenarios = () => {
    const namesake = form.elements.person.selectedOptions[0]?.dataset.namesake === 'true';
    const option = [...form.elements.scenario.options].find((o) => o.value === 'namesake');
    option.disabled = !namesake;
    if (option.disabled && option.selected) form.elements.scenario.value = 'right-claims';
  };
  form.elements.person.addEventListener('change', fitScenarios);
  fitScenarios();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    answer.textContent = 'Sending…';
    const sent = await api('/api/entra/callout', {
      userPrincipalName: form.elements.person.value,
      scenario: form.elements.scenario.value,
    });
    const result = sent.body;
    if (!sent.ok) answer.textContent = `Not sent: ${result.error ?? sent.status}`;
    else if (result.outcome === 'pass')
      answer.textContent = `The extension answered pass: recovery goes on. (correlation id ${result.correlationId})`;
    else if (result.outcome === 'failed')
      answer.textContent = `The extension answered failed${result.failedClaims.length ? ` on ${result.failedClaims.join(', ')}` : ''}: recovery stops. (correlation id ${result.correlationId})`;
    else answer.textContent = `The extension answered HTTP ${result.status}.`;
    answer.dataset.outcome = result.outcome ?? 'error';
  });
  panel.hidden = false;
}

start();
