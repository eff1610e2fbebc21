// Reading a Chromium trace over the DevTools protocol, for the browser tests
// (tests/e2e/main-thread.test.mjs) and the page benchmark (bench/page.mjs).
//
//   await cdp.send('Tracing.start', { categories, transferMode: 'ReturnAsStream' });
//   ... the page works ...
//   const events = await endTrace(cdp);
//   const tasks = outermostEvents(threadEvents(events, mark)); // mark: an event on the thread wanted

/** Ends tracing and returns the trace's events, read from the stream in 1 MB pieces. */
export async function endTrace(cdp) {
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.end');
  const { stream } = await done;
  const chunks = [];
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream, size: 1 << 20 });
    chunks.push(Buffer.from(chunk.data, chunk.base64Encoded ? 'base64' : 'utf8'));
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}

/**
 * The complete events (with a duration) of the thread `like` ran on, in time
 * order, outer events before the ones nested in them.
 */
export function threadEvents(events, like) {
  return events.filter((e) => e.pid === like.pid && e.tid === like.tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
}

/** The tasks of a thread: its outermost events (RunTask wraps the rest), given threadEvents(). */
export function outermostEvents(sorted) {
  const tasks = [];
  let end = -1;
  for (const e of sorted) {
    if (e.ts >= end) {
      tasks.push(e);
      end = e.ts + e.dur;
    }
  }
  return tasks;
}

/** An event's CPU time in ms: its thread time where the trace has it, else its wall time. */
export function cpuMs(e) {
  return (e.tdur !== undefined ? e.tdur : e.dur) / 1000;
}
