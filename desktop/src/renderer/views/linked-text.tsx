// Text from the server (alias history reasons, run reasons) with "drift report N" and "retrain run N" as links.
import { type Destination, useServices } from '../services';

const MENTION = /(drift report \d+|retrain(?:ing)? run \d+)/g;

/** Where a mention leads: `drift report 3` → report 3, `retrain run 2` → run 2; null for plain text. */
export function destinationOf(text: string): Destination | null {
  const m = /^(drift report|retrain(?:ing)? run) (\d+)$/.exec(text);
  if (!m) return null;
  return { kind: m[1] === 'drift report' ? 'report' : 'run', id: m[2]! };
}

export function LinkedText({ text }: { readonly text: string | null }) {
  const { navigate } = useServices();
  if (!text) return null;
  return (
    <>
      {text.split(MENTION).map((part, i) => {
        const to = destinationOf(part);
        return to ? (
          <button
            // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string.
            key={i}
            type="button"
            className="link"
            data-testid="mention"
            onClick={() => navigate(to)}
          >
            {part}
          </button>
        ) : (
          part
        );
      })}
    </>
  );
}
