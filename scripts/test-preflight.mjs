// First step of `npm test`: says which optional parts of the machine are missing and what the suite skips
// without them, and stops early, with the fix, where the suite cannot run at all.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const APT =
  'apt-get install -y --no-install-recommends chromium dataset-fashion-mnist python3-opencv python3-torch libvulkan1 slurm-wlm munge';

/** The tests look in Debian's interpreter, as `python3` on PATH may be a pyenv or venv shim without its packages. */
function python(module) {
  for (const interpreter of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(interpreter, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 60_000 });
      return true;
    } catch {
      // try the next interpreter
    }
  }
  return false;
}

const vulkanLoader = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
].some((d) => existsSync(`${d}/libvulkan.so.1`));

const parts = [
  ['chromium', existsSync('/usr/bin/chromium'), 'the end-to-end tests of the UI in Chromium (tests/e2e)'],
  [
    'dataset-fashion-mnist',
    existsSync('/usr/share/datasets/fashion-mnist'),
    'the tests that read the full 60,000-image Fashion-MNIST',
  ],
  ['python3-opencv', python('cv2'), 'the distortions checked against OpenCV'],
  ['python3-torch', python('torch'), "the PyTorch benchmark peer's run"],
  [
    'libvulkan1 (with chromium)',
    vulkanLoader && existsSync('/usr/lib/chromium/vk_swiftshader_icd.json'),
    'the WebGPU suite on SwiftShader, a software GPU (tests/webgpu)',
  ],
  [
    'slurm-wlm and munge',
    ['/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/sbin/munged', '/usr/bin/sbatch'].every((f) =>
      existsSync(f),
    ),
    'the one-node Slurm cluster test of the sharded ranking (tests/cluster; it needs root too)',
  ],
];

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 11)) {
  console.error(`npm test: Node ${process.versions.node} is too old; the project needs Node 20.11 or later.`);
  process.exit(1);
}
if (!existsSync(new URL('../node_modules/electron/package.json', import.meta.url))) {
  console.error(
    'npm test: the electron package is not installed, and the type check of the desktop shell needs its types.\n' +
      'npm versions before 11.19 run its binary download at install and drop the package when that fails (offline).\n' +
      'Fix: npm install -g npm@11 (or later), then npm ci again.',
  );
  process.exit(1);
}
const missing = parts.filter(([, present]) => !present);
if (missing.length === 0) console.log('npm test: every optional part is here; nothing is skipped.');
else {
  console.log('npm test: these parts are missing, so the suite skips what needs them:');
  for (const [name, , what] of missing) console.log(`  - ${name}: ${what}`);
  console.log(`  (Debian: ${APT})`);
}
