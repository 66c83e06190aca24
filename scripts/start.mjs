// Placeholder until the demo (issue 7) lands: say plainly what `npm start` cannot do yet.
console.error(
  'meshlens: the demo stack is not assembled yet, so `npm start` cannot run the mesh.\n' +
    'What works today is listed under "Status" in README.md; `npm test` runs every check.',
);
process.exit(1);
