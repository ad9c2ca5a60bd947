/**
 * deploy/docker/Dockerfile and .dockerignore, checked as text (no Docker engine here):
 * pinned base image, non-root runtime, health check, exec-form CMD, one target per
 * service, production-only dependencies, and a build context that has what the
 * Dockerfile copies.
 */
import { readFileSync } from 'node:fs';
import {
  APP_SERVICES,
  DOCKERFILE,
  DOCKERIGNORE,
  dockerignorePatterns,
  effectiveInstructions,
  envOf,
  execForm,
  externalImages,
  isDockerignored,
  last,
  parseDockerfile,
  parseHealthcheck,
  readRepoFile,
  stageChain,
} from './deploy-files';

const text = readFileSync(DOCKERFILE, 'utf8');
const file = parseDockerfile(text);
const targets = Object.keys(APP_SERVICES) as (keyof typeof APP_SERVICES)[];
const packageJson = JSON.parse(readRepoFile('package.json')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('Dockerfile: base image', () => {
  it('pins every base image to an exact version, never latest', () => {
    const images = externalImages(file);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      expect(image).not.toMatch(/\$/); // every ARG it uses has a default
      expect(image).toMatch(/^[\w./-]+:\d+\.\d+\.\d+[\w.-]*(@sha256:[a-f0-9]{64})?$/);
      expect(image).not.toMatch(/:latest\b/);
    }
  });

  it('uses the official Node 24 image, the Node version development and CI run', () => {
    const images = [...new Set(externalImages(file))];
    expect(images).toHaveLength(1);
    const [, version] = /^node:(\d+\.\d+\.\d+)-/.exec(images[0]) ?? [];
    expect(version).toMatch(/^24\./);
    // package.json's devDependencies.node is the Node 24 binary local runs and tests use.
    expect(version).toEqual(packageJson.devDependencies.node);
  });
});

describe.each(targets)('Dockerfile: the %s target', (target) => {
  const instructions = () => effectiveInstructions(file, target);
  const port = APP_SERVICES[target];

  it('is a stage of its own that does not inherit the build toolchain', () => {
    const chain = stageChain(file, target).map((s) => s.name);
    expect(chain[chain.length - 1]).toEqual(target);
    expect(chain).not.toEqual(expect.arrayContaining(['deps']));
    expect(chain.some((name) => name === 'source' || name?.startsWith('build'))).toBe(false);
  });

  it('runs as a non-root user', () => {
    const user = last(instructions(), 'USER')?.args;
    expect(user).toBeDefined();
    expect(user?.split(':')[0]).not.toMatch(/^(root|0)$/);
  });

  it('has a HEALTHCHECK in exec form that asks /healthz on the service port with Node', () => {
    const healthcheck = last(instructions(), 'HEALTHCHECK');
    expect(healthcheck).toBeDefined();
    const parsed = parseHealthcheck(healthcheck?.args ?? '');
    const cmd = execForm(parsed?.cmd ?? '');
    expect(cmd?.[0]).toEqual('node'); // no curl/wget in slim images
    expect(cmd?.join(' ')).toMatch(/\/healthz/);
    expect(cmd?.join(' ')).toMatch(/CARAVAN_HTTP_PORT/);
    expect(Number(envOf(instructions()).CARAVAN_HTTP_PORT)).toEqual(port);
    for (const option of ['interval', 'timeout', 'start-period', 'retries']) {
      expect(parsed?.options[option]).toBeDefined();
    }
  });

  it('starts with CMD ["node", "main.js"] in exec form, so Node is PID 1 and gets SIGTERM', () => {
    expect(execForm(last(instructions(), 'CMD')?.args ?? '')).toEqual(['node', 'main.js']);
    expect(last(instructions(), 'ENTRYPOINT')).toBeUndefined();
    expect(last(instructions(), 'STOPSIGNAL')?.args).toEqual('SIGTERM');
  });

  it(`runs in production mode and exposes ${port}`, () => {
    expect(envOf(instructions()).NODE_ENV).toEqual('production');
    const exposed = instructions()
      .filter((i) => i.keyword === 'EXPOSE')
      .flatMap((i) => i.args.split(/\s+/));
    expect(exposed).toEqual([String(port)]);
  });

  it(`contains the ${target} bundle, built by its own stage`, () => {
    const copies = instructions().filter((i) => i.keyword === 'COPY' && i.args.includes(`dist/apps/${target}`));
    expect(copies).toHaveLength(1);
    const from = /--from=(\S+)/.exec(copies[0].args)?.[1];
    const buildStage = file.stages.find((s) => s.name === from);
    expect(buildStage?.instructions.map((i) => i.args).join('\n')).toMatch(new RegExp(`nx build ${target}(\\n|$)`));
  });
});

describe('Dockerfile: dependencies', () => {
  const stage = (name: string) => file.stages.find((s) => s.name === name);
  const runs = (name: string) =>
    (stage(name)?.instructions ?? []).filter((i) => i.keyword === 'RUN').map((i) => i.args);

  it('installs exactly what package-lock.json pins (npm install after copying the lockfile)', () => {
    for (const name of ['deps', 'prod-deps']) {
      const ins = stage(name)?.instructions ?? [];
      const copyLock = ins.findIndex((i) => i.keyword === 'COPY' && /package-lock\.json/.test(i.args));
      const ci = ins.findIndex((i) => i.keyword === 'RUN' && /\bnpm install\b/.test(i.args));
      expect({
        name,
        copyLock: copyLock >= 0,
        ciAfterCopy: ci > copyLock,
      }).toEqual({
        name,
        copyLock: true,
        ciAfterCopy: true,
      });
      // No package named on the command line: everything comes from the lockfile.
      expect(runs(name).join(' ')).not.toMatch(/npm (install|i)( --[\w-]+(=\S+)?)* [a-z@]/);
    }
  });

  it('gives the runtime images production dependencies only', () => {
    const install = runs('prod-deps').join(' ');
    expect(install).toMatch(/npm install\b.*--omit=dev/);
    const runtimeCopies = stageChain(file, 'api')
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' && /node_modules/.test(i.args));
    expect(runtimeCopies.map((i) => /--from=(\S+)/.exec(i.args)?.[1])).toEqual(['prod-deps']);
  });

  /**
   * What `npm install --omit=dev --omit=optional` puts on disk, computed from the lockfile the
   * way npm decides (node_modules/@npmcli/arborist Node#shouldOmit).
   */
  const lock = JSON.parse(readRepoFile('package-lock.json')) as {
    packages: Record<
      string,
      {
        dev?: boolean;
        optional?: boolean;
        devOptional?: boolean;
        peer?: boolean;
      }
    >;
  };
  const installedWith = (omit: Set<string>) =>
    new Set(
      Object.entries(lock.packages)
        .filter(([path]) => path.startsWith('node_modules/'))
        .filter(
          ([, p]) =>
            !(
              (p.dev && omit.has('dev')) ||
              (p.optional && omit.has('optional')) ||
              (p.devOptional && omit.has('dev') && omit.has('optional')) ||
              (p.peer && omit.has('peer'))
            ),
        )
        .map(([path]) => path.replace(/^.*node_modules\//, '')),
    );

  it('omits exactly what the prod-deps stage tells npm to omit', () => {
    const install = runs('prod-deps').join(' ');
    const omit = new Set([...install.matchAll(/--omit[= ](\w+)/g)].map((m) => m[1]));
    const installed = installedWith(omit);
    // Every runtime dependency is installed ...
    for (const dep of Object.keys(packageJson.dependencies))
      expect({ dep, installed: installed.has(dep) }).toEqual({
        dep,
        installed: true,
      });
    // ... and the toolchain is not (ts-node/typescript/@swc/core reach the tree as typeorm's
    // optional peers, flagged "devOptional": --omit=dev alone would install them).
    for (const tool of ['typescript', 'ts-node', '@swc/core', 'nx', 'webpack', 'jest', 'node']) {
      expect({ tool, installed: installed.has(tool) }).toEqual({
        tool,
        installed: false,
      });
    }
  });
});

describe('.dockerignore', () => {
  const patterns = dockerignorePatterns(readFileSync(DOCKERIGNORE, 'utf8'));

  it('keeps host dependencies, build output, VCS data and local secrets out of the context', () => {
    for (const path of [
      'node_modules',
      'node_modules/nx/package.json',
      'libs/domain/node_modules/x',
      'dist/apps/api/main.js',
      '.git/HEAD',
      '.nx/cache/x',
      '.cache/kafka-4.4.0/libs/x.jar',
      '.run/kafka/kafka.log',
      'coverage/lcov.info',
      'tmp/x',
      '.env',
      '.env.local',
      'apps/api/src/app.controller.spec.ts',
    ]) {
      expect({ path, ignored: isDockerignored(patterns, path) }).toEqual({
        path,
        ignored: true,
      });
    }
  });

  it('keeps everything the Dockerfile copies from the context', () => {
    const sources = file.stages
      .flatMap((s) => s.instructions)
      .filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && !/--from=/.test(i.args))
      .flatMap((i) => {
        const words = i.args.split(/\s+/).filter((w) => !w.startsWith('--'));
        return words.slice(0, -1);
      });
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', '.']));
    for (const source of sources.filter((s) => s !== '.')) {
      expect({ source, ignored: isDockerignored(patterns, source) }).toEqual({
        source,
        ignored: false,
      });
    }
    // `COPY . .` must bring the workspace: sources, Nx and TypeScript configuration.
    for (const path of [
      'apps/api/src/main.ts',
      'apps/api/webpack.config.js',
      'libs/config/src/index.ts',
      'nx.json',
      'tsconfig.base.json',
      'package.json',
    ]) {
      expect({ path, ignored: isDockerignored(patterns, path) }).toEqual({
        path,
        ignored: false,
      });
    }
  });

  it('matches patterns the way Docker does', () => {
    expect(isDockerignored(['dist'], 'dist/x')).toBe(true);
    expect(isDockerignored(['dist'], 'apps/dist/x')).toBe(false);
    expect(isDockerignored(['**/dist'], 'apps/dist/x')).toBe(true);
    expect(isDockerignored(['*.md', '!README.md'], 'README.md')).toBe(false);
    expect(isDockerignored(['**/*.spec.ts'], 'a/b/c.spec.ts')).toBe(true);
  });
});
