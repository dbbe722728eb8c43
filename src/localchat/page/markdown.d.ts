/** HTML for the markdown Teams renders in cards and messages; HTML in the input is escaped. */
export function renderMarkdown(text: string): string;
