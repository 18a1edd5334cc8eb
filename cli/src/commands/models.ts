// `pmm models`: the sync server's registry from the command line (register a model folder under a name, list
// names with their versions and aliases, move an alias), so nobody hand-writes HTTP.
import { DEFAULT_MODEL_NAME, modelNameProblem } from '@pmm/core/sync';
import type { Command } from 'commander';
import { CliError } from '../util/cli-error';
import { loadModelFolder } from '../util/model-folder';
import { parseFormat, printJson } from '../util/output';

/** Where the registry is and who asks: flags first, then PMM_SERVER / PMM_TOKEN. */
export interface Connection {
  readonly server: string;
  readonly token: string;
}

interface ConnectionFlags {
  readonly server?: string | undefined;
  readonly token?: string | undefined;
}

export function connectionOf(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Connection {
  const server = flags.server ?? env.PMM_SERVER;
  const token = flags.token ?? env.PMM_TOKEN;
  if (!server) throw new CliError('no sync server: pass --server URL or set PMM_SERVER');
  if (!token) throw new CliError('no token: pass --token T or set PMM_TOKEN');
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new CliError(`--server: "${server}" is not a URL (e.g. http://127.0.0.1:8788)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(`--server: "${server}" is not an http(s) URL`);
  return { server: server.replace(/\/+$/, ''), token };
}

function checkName(name: string): string {
  const problem = modelNameProblem(name);
  if (problem) throw new CliError(`--name: ${problem}`);
  return name;
}

/** The server's one-line reason from its JSON error body (`{ error: { message, details } }`), else the text. */
function reasonOf(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as {
      error?: { message?: string; details?: { path?: string; message?: string }[] | null };
    };
    const message = body.error?.message;
    const detail = Array.isArray(body.error?.details) ? body.error.details[0] : undefined;
    if (message && detail?.path && detail.message && !message.includes(detail.message))
      return `${message} (${detail.path}: ${detail.message})`;
    if (message) return message;
  } catch {
    // not JSON: the text itself
  }
  return text.trim().split('\n')[0]?.slice(0, 300) || `HTTP ${status}`;
}

/** One request to the registry; every failure becomes one `pmm:` line. */
export async function registryCall<T>(
  connection: Connection,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const url = `${connection.server}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${connection.token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
    throw new CliError(
      `cannot reach the sync server at ${connection.server}${cause ? ` (${cause})` : ''}: is it running?`,
    );
  }
  const text = await response.text();
  if (response.status === 401)
    throw new CliError(`the sync server refused the token (401): check --token or PMM_TOKEN`);
  if (response.status === 403)
    throw new CliError(`this token may not do that (403): ${reasonOf(response.status, text)}`);
  if (!response.ok)
    throw new CliError(`the sync server answered ${response.status}: ${reasonOf(response.status, text)}`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CliError(
      `the sync server at ${connection.server} did not answer JSON (is it a pmm sync server?)`,
    );
  }
}

interface AliasResult {
  readonly name: string;
  readonly alias: string;
  readonly version: string | null;
  readonly previous_version: string | null;
  readonly changed: boolean;
}

interface Summary {
  readonly name: string;
  readonly version: string;
  readonly created_at: string;
  readonly metrics: Record<string, number>;
  readonly aliases: string[];
}

interface Registry {
  readonly models: {
    name: string;
    aliases: { alias: string; version: string }[];
    versions: Summary[];
  }[];
}

const setAlias = (
  connection: Connection,
  request: { name: string; alias: string; version: string; reason?: string | undefined },
) =>
  registryCall<AliasResult>(connection, 'POST', `/v1/registry/${encodeURIComponent(request.name)}/aliases`, {
    alias: request.alias,
    version: request.version,
    ...(request.reason !== undefined && { reason: request.reason }),
  });

const aliasLine = (r: AliasResult) =>
  r.changed
    ? `${r.name}: ${r.alias} → ${r.version}${r.previous_version ? ` (was ${r.previous_version})` : ''}`
    : `${r.name}: ${r.alias} already points to ${r.version}`;

export function registerModelsCommand(program: Command): void {
  const models = program
    .command('models')
    .description('the sync server’s model registry: register, list, move aliases (token: PMM_TOKEN)');

  models
    .command('register')
    .description('register an artifact folder (model.json + model.onnx) under a model name')
    .option('--server <url>', 'sync server URL (default: PMM_SERVER)')
    .option('--token <token>', 'admin token (default: PMM_TOKEN)')
    .option('--name <name>', 'model name', DEFAULT_MODEL_NAME)
    .requiredOption('--model <dir>', 'artifact folder (pmm train / pmm import output)')
    .option('--alias <alias>', 'then point this alias at it (e.g. production)')
    .option('--reason <text>', 'why (kept in the alias history)')
    .option('--format <format>', 'text or json', 'text')
    .action(
      async (opts: {
        server?: string;
        token?: string;
        name: string;
        model: string;
        alias?: string;
        reason?: string;
        format: string;
      }) => {
        const format = parseFormat(opts.format, ['text', 'json'] as const);
        const name = checkName(opts.name);
        const connection = connectionOf(opts);
        const { card, onnx } = await loadModelFolder(opts.model);
        const registered = await registryCall<Summary>(connection, 'POST', '/v1/models', {
          name,
          model: card,
          onnx_base64: Buffer.from(onnx).toString('base64'),
        });
        const alias =
          opts.alias === undefined
            ? null
            : await setAlias(connection, {
                name,
                alias: opts.alias,
                version: card.version,
                reason: opts.reason,
              });
        if (format === 'json') return printJson({ registered, alias });
        process.stdout.write(`registered ${name} ${registered.version}\n`);
        if (alias) process.stdout.write(`${aliasLine(alias)}\n`);
      },
    );

  models
    .command('list')
    .description('model names with their aliases and versions')
    .option('--server <url>', 'sync server URL (default: PMM_SERVER)')
    .option('--token <token>', 'read or admin token (default: PMM_TOKEN)')
    .option('--format <format>', 'text or json', 'text')
    .action(async (opts: { server?: string; token?: string; format: string }) => {
      const format = parseFormat(opts.format, ['text', 'json'] as const);
      const registry = await registryCall<Registry>(connectionOf(opts), 'GET', '/v1/registry');
      if (format === 'json') return printJson(registry);
      if (registry.models.length === 0) {
        process.stdout.write('no models registered\n');
        return;
      }
      for (const model of registry.models) {
        const aliases = model.aliases.map((a) => `${a.alias}=${a.version}`).join(' ');
        process.stdout.write(`${model.name}  ${aliases || '(no aliases)'}\n`);
        for (const v of model.versions) {
          const auc = v.metrics.roc_auc;
          const tags = v.aliases.length > 0 ? `  [${v.aliases.join(', ')}]` : '';
          process.stdout.write(
            `  ${v.version}  ${v.created_at}${auc === undefined ? '' : `  roc_auc ${auc.toFixed(4)}`}${tags}\n`,
          );
        }
      }
    });

  models
    .command('alias')
    .description('point an alias of a model name at one of its versions')
    .option('--server <url>', 'sync server URL (default: PMM_SERVER)')
    .option('--token <token>', 'admin token (default: PMM_TOKEN)')
    .requiredOption('--name <name>', 'model name')
    .requiredOption('--alias <alias>', 'alias (e.g. production, challenger)')
    .requiredOption('--version <version>', 'a version of that name')
    .option('--reason <text>', 'why (kept in the alias history)')
    .option('--format <format>', 'text or json', 'text')
    .action(
      async (opts: {
        server?: string;
        token?: string;
        name: string;
        alias: string;
        version: string;
        reason?: string;
        format: string;
      }) => {
        const format = parseFormat(opts.format, ['text', 'json'] as const);
        const name = checkName(opts.name);
        const result = await setAlias(connectionOf(opts), {
          name,
          alias: opts.alias,
          version: opts.version,
          reason: opts.reason,
        });
        if (format === 'json') return printJson(result);
        process.stdout.write(`${aliasLine(result)}\n`);
      },
    );
}
