/** An Entra object id (a GUID), the only shape of id the bot accepts from configuration, text or cards. */
const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isObjectId = (value: string): boolean => OBJECT_ID.test(value);
