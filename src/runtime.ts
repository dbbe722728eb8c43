/**
 * The Node.js release lines this bot supports: the LTS lines that still get security fixes
 * (nodejs/Release schedule: 22 maintenance until 2027-04-30, 24 until 2028-04-30, 26 active LTS).
 * Keep in step with `engines` in package.json, the README and docs/deploy.md.
 */
export const SUPPORTED_NODE_LINES = [22, 24, 26] as const;

/** One line for the operator when this runtime is not a supported LTS line, or undefined when it is. */
export function unsupportedRuntimeWarning(version: string = process.versions.node): string | undefined {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  if ((SUPPORTED_NODE_LINES as readonly number[]).includes(major)) return undefined;
  return (
    `Unsupported runtime: Node.js ${version.replace(/^v/, '')} is not a supported LTS line; ` +
    `ssar-helpdesk supports Node.js ${SUPPORTED_NODE_LINES.join(', ')} (deployed on 24). Starting anyway.`
  );
}
