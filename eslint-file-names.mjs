/**
 * House style for source file names (CONTRIBUTING.md): `kebab-case.<role>.ts`, tests
 * `kebab-case.<role>.spec.ts` (a unit-tier test `kebab-case.<role>.unit.spec.ts`). The role says what a file holds; a file of plain functions and
 * types (a domain rule, a helper module) may go without one, but a file declaring a Nest
 * artefact must say which: `@Controller` in `.controller.ts`, `@Module` in `.module.ts`,
 * `@Entity` in `.entity.ts`, any other `@Injectable` in a file with a role. Test fixtures
 * live in a `testing/` folder, not beside the features they feed.
 */
import { basename } from 'node:path';

/** The roles in use, from the tree; add one here when a new kind of file appears. */
export const FILE_ROLES = [
  'builder',
  'check',
  'client',
  'consumer',
  'context',
  'controller',
  'decorator',
  'dto',
  'entity',
  'error',
  'exception',
  'factory',
  'fake',
  'filter',
  'guard',
  'helper',
  'interceptor',
  'interface',
  'limiter',
  'limits',
  'mailer',
  'metrics',
  'middleware',
  'migration',
  'module',
  'notifier',
  'payloads',
  'pipe',
  'presenter',
  'producer',
  'publisher',
  'registry',
  'renderer',
  'repository',
  'resolver',
  'ringer',
  'sender',
  'server',
  'service',
  'source',
  'sql',
  'token',
  'tokens',
  'tracker',
  'validator',
  'writer',
];

const KEBAB = '[a-z0-9]+(?:-[a-z0-9]+)*';
const FILE_NAME = new RegExp(`^(${KEBAB})(?:\\.(${FILE_ROLES.join('|')}))?(\\.unit\\.spec|\\.spec|\\.d)?\\.ts$`);
const DECORATOR_ROLES = { Controller: 'controller', Module: 'module', Entity: 'entity' };

const fileNames = {
  meta: {
    type: 'suggestion',
    docs: { description: 'Source files are named kebab-case.<role>.ts' },
    schema: [],
    messages: {
      shape: "'{{name}}' is not kebab-case.<role>.ts (roles: see FILE_ROLES in eslint-file-names.mjs)",
      role: "'{{name}}' declares a @{{decorator}} class: name it <name>.{{role}}.ts",
      fixtures: "'{{name}}' holds test fixtures: move it into a testing/ folder",
      noRole: "'{{name}}' declares an @Injectable class: give the file a role (<name>.<role>.ts, e.g. .service)",
    },
  },
  create(context) {
    const name = basename(context.filename);
    const match = FILE_NAME.exec(name);
    if (!match) {
      return {
        Program(node) {
          context.report({ node, messageId: 'shape', data: { name } });
        },
      };
    }
    if (/fixture/.test(name) && !/\/testing\//.test(context.filename.replace(/\\/g, '/'))) {
      return {
        Program(node) {
          context.report({ node, messageId: 'fixtures', data: { name } });
        },
      };
    }
    const role = match[2];
    if (match[3] === '.spec' || match[3] === '.unit.spec') return {};
    return {
      'ClassDeclaration > Decorator'(node) {
        const callee = node.expression.type === 'CallExpression' ? node.expression.callee : node.expression;
        const decorator = callee.type === 'Identifier' ? callee.name : undefined;
        const wanted = DECORATOR_ROLES[decorator];
        if (wanted && role !== wanted) {
          context.report({ node, messageId: 'role', data: { name, decorator, role: wanted } });
        } else if (decorator === 'Injectable' && role === undefined) {
          context.report({ node, messageId: 'noRole', data: { name } });
        }
      },
    };
  },
};

export const caravanPlugin = { rules: { 'file-names': fileNames } };
