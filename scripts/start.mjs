// `npm start`: the whole pipeline on this machine. The local run (sample listing, local state
// machine, filesystem store, webhook receiver, contact sheet) is being built; see the README.
console.error(
  'npm start: the local pipeline run is not built yet (see the README, "Run it locally").',
);
process.exit(1);
