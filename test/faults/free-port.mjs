import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now (the fault suite's and the benchmark's services take one each). */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
