/**
 * Feature folders under src/ form layers: a folder may import only folders of a lower layer (and itself), so no two
 * features import each other, directly or round a longer loop. Add a new folder to the layer it belongs to.
 */
const LAYERS = [
  ['config'],
  ['domain'],
  ['common'],
  ['metrics'],
  ['queue', 'audit'],
  ['auth'],
  ['registry', 'matching'],
  ['notices'],
  ['events'],
  ['outreach'],
  ['database'],
  ['web', 'health', 'cli'],
];

const layerRules = LAYERS.flatMap((layer, i) =>
  layer.map((folder) => {
    const notBelow = LAYERS.slice(i)
      .flat()
      .filter((f) => f !== folder);
    return {
      name: `layers-${folder}`,
      comment: `src/${folder} may import only ${LAYERS.slice(0, i).flat().join(', ') || 'nothing of src'} (lower layers)`,
      severity: 'error',
      from: { path: `^src/${folder}/` },
      to: { path: `^src/(${notBelow.join('|')})/` },
    };
  }),
);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'a module must not reach itself through its imports',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'unknown-folder',
      comment: 'every folder under src/ belongs to a layer (see LAYERS in .dependency-cruiser.cjs)',
      severity: 'error',
      from: { path: `^src/(?!(${LAYERS.flat().join('|')})/)[^/]+/` },
      to: {},
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.spec\\.ts$' },
  },
};
