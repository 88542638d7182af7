import { printJson, type CliIo, type GlobalOptions } from '../../io.js';
import { CLI_ACTOR, withRuntime } from '../../runtime.js';

export async function runAdd(
  io: CliIo,
  opts: GlobalOptions & { name?: string },
  slug: string,
): Promise<void> {
  await withRuntime(io, opts, async ({ services }) => {
    const org = await services.orgs.create(
      { slug, ...(opts.name === undefined ? {} : { name: opts.name }) },
      CLI_ACTOR,
    );
    if (opts.json === true) printJson(io, org);
    else io.stdout.write(`created organization ${org.slug} (${org.id})\n`);
  });
}

export async function runList(io: CliIo, opts: GlobalOptions): Promise<void> {
  await withRuntime(io, opts, async ({ services }) => {
    const orgs = await services.orgs.list();
    if (opts.json === true) return printJson(io, orgs);
    if (orgs.length === 0) io.stdout.write('no organizations yet: duowatch orgs add <slug>\n');
    for (const o of orgs)
      io.stdout.write(`${o.slug.padEnd(24)} ${(o.worstStatus ?? 'no evidence').padEnd(12)} ${o.name}\n`);
  });
}

export async function runRemove(io: CliIo, opts: GlobalOptions, slug: string): Promise<void> {
  await withRuntime(io, opts, async ({ services }) => {
    await services.orgs.remove(slug, CLI_ACTOR);
    io.stdout.write(`removed organization ${slug}\n`);
  });
}
