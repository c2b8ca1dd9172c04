// How discord.js's REST sends a request here: a message with files is encoded to bytes before it reaches undici.
//
// Why: @discordjs/rest hands undici a FormData (Node's own) for a message with attachments, and undici sends it
// through the process's global dispatcher. Whichever undici loads first installs that dispatcher, and @slack/bolt
// (through @slack/socket-mode) brings a newer undici than discord.js's. When Bolt loads first, as in a process that
// runs both platforms, the newer undici cannot encode a FormData it did not make ("action is not a function"), so
// every attachment failed and was retried until the outbox gave up. Bytes any undici sends.
import { DefaultRestOptions, type RESTOptions } from 'discord.js';

type MakeRequest = RESTOptions['makeRequest'];

export const makeRequest: MakeRequest = async (url, init) => {
  const { body } = init;
  if (!(body instanceof FormData)) return DefaultRestOptions.makeRequest(url, init);
  // Node's own Response encodes Node's own FormData: the bytes, and the boundary in the content type.
  const encoded = new Response(body);
  const bytes = new Uint8Array(await encoded.arrayBuffer());
  const headers = { ...(init.headers as Record<string, string>) };
  headers['content-type'] = encoded.headers.get('content-type') ?? 'multipart/form-data';
  return DefaultRestOptions.makeRequest(url, { ...init, body: bytes, headers });
};

/** discord.js's REST options for this project: the API's address when one is given (a test's fake), and the above. */
export function restOptions(apiUrl: string | undefined): Partial<RESTOptions> {
  return apiUrl ? { api: apiUrl, makeRequest } : { makeRequest };
}
