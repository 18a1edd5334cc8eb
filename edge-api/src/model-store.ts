// Installed models in KV: one card and one artifact per version, and a single pointer key naming the active one.
import type { ModelCard } from '@pmm/core/model';

/** The pointer is written last, in one put: activation (and rollback) is atomic. */
export interface ActivePointer {
  readonly version: string;
  readonly onnx_sha256: string;
  readonly activated_at: string;
  /** Versions active before this one, most recent first: rollback targets. */
  readonly history: readonly string[];
  /** Versions rolled back from: the cron's pull does not reinstall them (an explicit push does). */
  readonly rolled_back: readonly string[];
}

export interface StoredModel {
  readonly card: ModelCard;
  readonly onnx: Uint8Array;
}

const POINTER_KEY = 'models/active';
const HISTORY_LIMIT = 10;
const cardKey = (version: string) => `models/${version}/card`;
const onnxKey = (version: string) => `models/${version}/onnx`;

export class ModelStore {
  constructor(private readonly kv: KVNamespace) {}

  async active(): Promise<ActivePointer | null> {
    return this.kv.get<ActivePointer>(POINTER_KEY, 'json');
  }

  async card(version: string): Promise<ModelCard | null> {
    return this.kv.get<ModelCard>(cardKey(version), 'json');
  }

  async load(version: string): Promise<StoredModel | null> {
    const [card, onnx] = await Promise.all([
      this.card(version),
      this.kv.get(onnxKey(version), 'arrayBuffer'),
    ]);
    return card && onnx ? { card, onnx: new Uint8Array(onnx) } : null;
  }

  /** Stores the artifact and card, then points `active` at it; the previous version stays for rollback. */
  async install(card: ModelCard, onnx: Uint8Array, at: string): Promise<ActivePointer> {
    await this.kv.put(onnxKey(card.version), onnx);
    await this.kv.put(cardKey(card.version), JSON.stringify(card));
    const current = await this.active();
    const history = current
      ? [current.version, ...current.history].filter((v) => v !== card.version).slice(0, HISTORY_LIMIT)
      : [];
    const pointer: ActivePointer = {
      version: card.version,
      onnx_sha256: card.onnx_sha256,
      activated_at: at,
      history,
      rolled_back: (current?.rolled_back ?? []).filter((v) => v !== card.version),
    };
    await this.kv.put(POINTER_KEY, JSON.stringify(pointer));
    return pointer;
  }

  /** Re-activates the previous version; null when there is none to go back to. */
  async rollback(at: string): Promise<{ from: string; pointer: ActivePointer } | null> {
    const current = await this.active();
    if (!current) return null;
    for (const [i, version] of current.history.entries()) {
      const card = await this.card(version);
      if (!card) continue;
      const pointer: ActivePointer = {
        version,
        onnx_sha256: card.onnx_sha256,
        activated_at: at,
        history: current.history.slice(i + 1),
        rolled_back: [current.version, ...current.rolled_back.filter((v) => v !== current.version)].slice(
          0,
          HISTORY_LIMIT,
        ),
      };
      await this.kv.put(POINTER_KEY, JSON.stringify(pointer));
      return { from: current.version, pointer };
    }
    return null;
  }
}
