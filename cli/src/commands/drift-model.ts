// `pmm drift --model DIR`: the model's reference (from model.json) against raw rows (--current) or a
// profile (--current-profile). Raw rows give the Evidently-exact report; a profile gives exact categorical
// scores and bracketed numerical ones (`exact`, `score_bound`, `verdict` per column).
import {
  type DriftOptions,
  type DriftReport,
  driftReport,
  driftTablesFromProfile,
  formatScore,
  renderDriftHtml,
  renderDriftText,
} from '@pmm/core/drift';
import { modelSchemaOf } from '@pmm/core/model';
import { type ProfileDriftReport, ProfileError, profileDriftReport } from '@pmm/core/profile';
import { CliError } from '../util/cli-error';
import { describeIssues, readCsvTable, rowsBySchema } from '../util/dataset';
import { loadDriftKernels } from '../util/drift-kernels';
import { loadModelFolder } from '../util/model-folder';
import { modelProfileSpec } from '../util/model-profile';
import { readProfileFile } from './profile';

/** Lines under the text report for columns whose verdict a profile cannot settle, or whose score is bracketed. */
function profileNotes(report: ProfileDriftReport): string {
  const lines = ['', 'From a profile: categorical scores are exact; numerical ones lie in the range shown.'];
  for (const c of report.columns) {
    if (c.exact || !c.score_bound) continue;
    const [lo, hi] = c.score_bound;
    lines.push(`  ${c.column}: ${c.method} in [${formatScore(lo)}, ${formatScore(hi)}] → ${c.verdict}`);
  }
  if (report.number_of_indeterminate_columns > 0)
    lines.push(
      `${report.number_of_indeterminate_columns} column(s) indeterminate: the bound straddles the threshold; run on raw rows (--current) to settle them.`,
    );
  return `${lines.join('\n')}\n`;
}

export async function runModelDrift(
  opts: { model: string; current?: string; currentProfile?: string },
  options: DriftOptions,
  format: 'text' | 'json' | 'html',
  isInputError: (error: unknown) => error is Error,
): Promise<string> {
  const model = await loadModelFolder(opts.model);
  const card = model.card;
  const generatedAt = new Date().toISOString();
  const context = {
    reference: `${card.version} reference`,
    current: opts.current ?? opts.currentProfile,
    generatedAt,
  };
  try {
    if (opts.currentProfile !== undefined) {
      const profile = await readProfileFile(opts.currentProfile);
      const report = profileDriftReport(card.reference_profile, modelProfileSpec(card), profile, options);
      if (format === 'json')
        return `${JSON.stringify({ generated_at: generatedAt, model_version: card.version, current_profile: opts.currentProfile, ...report }, null, 2)}\n`;
      if (format === 'html') return renderDriftHtml(report as unknown as DriftReport, context);
      return renderDriftText(report as unknown as DriftReport, context) + profileNotes(report);
    }
    const kernels = loadDriftKernels();
    const loaded = await readCsvTable(opts.current!);
    const rows = rowsBySchema(loaded, opts.current!, modelSchemaOf(card), { ignoreTarget: true });
    if (rows.issues.length > 0)
      process.stderr.write(`pmm: ${rows.issues.length} row(s) left out: ${describeIssues(rows.issues)}\n`);
    const tables = driftTablesFromProfile(card.reference_profile, rows.records, {
      names: { reference: `${card.version} reference`, current: opts.current! },
    });
    await kernels;
    const report = driftReport(tables.reference, tables.current, options);
    if (format === 'json')
      return `${JSON.stringify({ generated_at: generatedAt, model_version: card.version, current_file: opts.current, ...report }, null, 2)}\n`;
    if (format === 'html') return renderDriftHtml(report, context);
    return renderDriftText(report, context);
  } catch (error) {
    if (error instanceof ProfileError || isInputError(error)) throw new CliError(error.message);
    throw error;
  }
}
