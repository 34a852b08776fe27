// Preloaded into a CLI child (node -r): prints the process's peak resident set
// size at exit, as "max-rss-kb=N" on stderr (tests/data/large-file.test.ts).
process.on("exit", () => { process.stderr.write(`max-rss-kb=${process.resourceUsage().maxRSS}\n`); });
