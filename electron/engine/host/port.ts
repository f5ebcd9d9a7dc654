/**
 * The engine host's link to whoever started it: Electron's utilityProcess gives `process.parentPort`, a Node
 * child process forked with an IPC channel gives `process.send`. Both carry structured clones, so typed arrays
 * cross without copying into JSON.
 */

export interface HostPort {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

export function hostPort(): HostPort {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort !== undefined) {
    return {
      post: (m) => parentPort.postMessage(m),
      onMessage: (l) => parentPort.on('message', (e) => l(e.data)),
    };
  }
  const send = process.send?.bind(process);
  if (send === undefined)
    throw new Error('the engine host must be started with an IPC channel (fork or utilityProcess)');
  return {
    post: (m) => {
      send(m);
    },
    onMessage: (l) => process.on('message', l),
  };
}
