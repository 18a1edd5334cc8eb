// `pmm profile build|merge`: mergeable profiles of a model's traffic (exact counts on the model's frozen bins).
import { modelSchemaOf } from '@pmm/core/model';
import { mergeProfiles, type Profile, ProfileBuilder, ProfileError, parseProfile } from '@pmm/core/profile';
import type { Command } from 'commander';
import { CliError } from '../util/cli-error';
import { describeIssues, readCsvTable, rowsBySchema } from '../util/dataset';
import { readInputText, writeReport } from '../util/files';
import { createNodePredictor, loadModelFolder } from '../util/model-folder';
import { modelProfileSpec } from '../util/model-profile';

interface BuildOptions {
  model: string;
  input: string;
  score?: string;
  out?: string;
}

/** Reads and checks a profile file; a bad one is a one-line error naming the file and field. */
export async function readProfileFile(file: string): Promise<Profile> {
  try {
    return parseProfile(await readInputText(file, 'profile file'), file);
  } catch (error) {
    if (error instanceof ProfileError) throw new CliError(error.message);
    throw error;
  }
}

async function buildProfile(opts: BuildOptions): Promise<void> {
  const model = await loadModelFolder(opts.model);
  const schema = modelSchemaOf(model.card);
  const spec = modelProfileSpec(model.card);
  const loaded = await readCsvTable(opts.input);
  const rows = rowsBySchema(loaded, opts.input, schema);
  if (rows.records.length === 0)
    throw new CliError(`${opts.input}: no valid rows (${describeIssues(rows.issues)})`);
  let scores: ArrayLike<number>;
  if (opts.score !== undefined) {
    const column = loaded.table.header.indexOf(opts.score);
    if (column < 0) throw new CliError(`${opts.input}: no column "${opts.score}" (--score)`);
    scores = rows.rowNumbers.map((row) => {
      const cell = loaded.table.rows[row - 1]![column]?.trim() ?? '';
      const x = Number(cell);
      if (cell === '' || !Number.isFinite(x) || x < 0 || x > 1)
        throw new CliError(
          `${opts.input}: row ${row}, --score column "${opts.score}": expected a probability in [0, 1], got "${cell}"`,
        );
      return x;
    });
  } else {
    scores = await (await createNodePredictor(model, 'ort')).predict(rows.records);
  }
  const builder = new ProfileBuilder(spec);
  rows.records.forEach((record, i) => {
    builder.add(record, scores[i], rows.labels ? (rows.labels[i] as 0 | 1) : null);
  });
  if (rows.issues.length > 0)
    process.stderr.write(
      `pmm: ${rows.issues.length} row(s) left out of the profile: ${describeIssues(rows.issues)}\n`,
    );
  await writeReport(opts.out, `${JSON.stringify(builder.build())}\n`);
}

async function mergeFiles(files: string[], opts: { out?: string }): Promise<void> {
  if (files.length === 0) throw new CliError('give at least one profile file to merge');
  const profiles = await Promise.all(files.map(readProfileFile));
  let merged: Profile;
  try {
    merged = mergeProfiles(profiles);
  } catch (error) {
    if (error instanceof ProfileError) throw new CliError(error.message);
    throw error;
  }
  await writeReport(opts.out, `${JSON.stringify(merged)}\n`);
}

export function registerProfileCommands(program: Command): void {
  const profile = program
    .command('profile')
    .description("mergeable profiles of a model's traffic: exact counts on the model's frozen bins");
  profile
    .command('build')
    .description('profile the rows of a CSV for a model (scores from --score, else the model scores them)')
    .requiredOption('--model <dir>', 'artifact folder holding model.onnx and model.json')
    .requiredOption(
      '--input <csv>',
      "CSV with the model's feature columns (the target column, if present, gives outcomes)",
    )
    .option(
      '--score <column>',
      "column holding the model's probability (default: score the rows with the model)",
    )
    .option('--out <file>', 'write the profile to a file instead of stdout')
    .action(buildProfile);
  profile
    .command('merge')
    .description('merge profiles of the same model layout (counts add: any order, any grouping)')
    .argument('<profiles...>', 'profile files')
    .option('--out <file>', 'write the merged profile to a file instead of stdout')
    .action(mergeFiles);
}
