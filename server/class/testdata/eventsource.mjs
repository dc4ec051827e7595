// A browser's EventSource on a class's live view, for workerd_test.go:
// Node 22's EventSource (run with --experimental-eventsource), which like a
// browser's honours "retry" and sends Last-Event-ID when it reconnects.
// Prints one JSON line per event until stdin closes. (Node's EventSource
// gives up after a refused connection, where a browser keeps retrying:
// the test starts it after restarting workerd.)
//
//   node --experimental-eventsource eventsource.mjs URL
const es = new EventSource(process.argv[2]);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
es.addEventListener("status", (e) => {
  const st = JSON.parse(e.data);
  out({ type: "status", id: e.lastEventId, state: st.state, done: st.done });
});
es.addEventListener("end", () => out({ type: "end" }));
es.addEventListener("error", () => out({ type: "error" }));
process.stdin.resume();
process.stdin.on("end", () => { es.close(); process.exit(0); });
