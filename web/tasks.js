// Work split into tasks, so that no task of the page's main thread runs long.

/** Resolves in a task of its own, soon (a timeout's 4 ms clamp does not apply). */
export function nextTask() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
