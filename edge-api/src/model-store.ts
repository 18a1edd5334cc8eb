// Installed models in KV, per model name: artifacts under their sha256 (shared by every name), one card per
// version, and one pointer per name naming its active version.
// KV is eventually consistent across locations: a reader may see the pointer before the artifact it names, so the
// artifact and card are written first and readers fall back to a version they can load (EdgeNode.activeModel).
//
// Keys: the default name ('churn') keeps the keys of the single-model edge (`models/active`, `models/<v>/card`),
// so a deployment upgraded in place serves what it had installed with no migration; any other name lives under
// `pointers/<name>` and `cards/<name>/<v>`.
import type { ModelCard } from '@pmm/core/model';
import { DEFAULT_MODEL_NAME } from '@pmm/core/sync';

/** The pointer is written last, in one put: activation (and rollback) is atomic. */
export interface ActivePointer {
  readonly version: string;
  /** The artifact's key: `artifacts/<onnx_sha256>`. */
  readonly onnx_sha256: string;
  readonly activated_at: string;
  /** Versions active before this one, most recent first: rollback targets. */
  readonly history: readonly string[];
  /** Versions rolled back from: the cron's pull does not reinstall them (an explicit push does). */
  readonly rolled_back: readonly string[];
}

const LEGACY_POINTER_KEY = 'models/active';
const POINTER_PREFIX = 'pointers/';
const HISTORY_LIMIT = 10;

/** The pointer key of a model name. */
export const pointerKey = (name: string) =>
  name === DEFAULT_MODEL_NAME ? LEGACY_POINTER_KEY : `${POINTER_PREFIX}${name}`;
/** The card key of one version of a model name. */
export const cardKey = (name: string, version: string) =>
  name === DEFAULT_MODEL_NAME ? `models/${version}/card` : `cards/${name}/${version}`;
/** Content-addressed: the same bytes always live under the same key, so a key once visible never changes. */
export const artifactKey = (sha256: string) => `artifacts/${sha256}`;
/** Where installs before content addressing put the artifact; still read so an upgrade keeps serving. */
const legacyArtifactKey = (version: string) => `models/${version}/onnx`;

export class ModelStore {
  constructor(private readonly kv: KVNamespace) {}

  async active(name: string = DEFAULT_MODEL_NAME): Promise<ActivePointer | null> {
    return this.kv.get<ActivePointer>(pointerKey(name), 'json');
  }

  /** Every name with a pointer, sorted. */
  async names(): Promise<string[]> {
    const names: string[] = [];
    if ((await this.kv.get(LEGACY_POINTER_KEY)) !== null) names.push(DEFAULT_MODEL_NAME);
    for (let cursor: string | undefined; ; ) {
      const page = await this.kv.list({ prefix: POINTER_PREFIX, ...(cursor ? { cursor } : {}) });
      for (const key of page.keys) names.push(key.name.slice(POINTER_PREFIX.length));
      if (page.list_complete) break;
      cursor = page.cursor;
    }
    return [...new Set(names)].sort();
  }

  async card(version: string, name: string = DEFAULT_MODEL_NAME): Promise<ModelCard | null> {
    return this.kv.get<ModelCard>(cardKey(name, version), 'json');
  }

  /** The artifact of `version` with this sha256; null while it is not visible here (or never was written). */
  async artifact(version: string, sha256: string): Promise<Uint8Array | null> {
    const bytes =
      (await this.kv.get(artifactKey(sha256), 'arrayBuffer')) ??
      (await this.kv.get(legacyArtifactKey(version), 'arrayBuffer'));
    return bytes ? new Uint8Array(bytes) : null;
  }

  /** Stores the artifact (under its sha256) and the card, then points the name at it; the previous stays for rollback. */
  async install(
    card: ModelCard,
    onnx: Uint8Array,
    at: string,
    name: string = DEFAULT_MODEL_NAME,
  ): Promise<ActivePointer> {
    await this.kv.put(artifactKey(card.onnx_sha256), onnx);
    await this.kv.put(cardKey(name, card.version), JSON.stringify(card));
    const current = await this.active(name);
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
    await this.kv.put(pointerKey(name), JSON.stringify(pointer));
    return pointer;
  }

  /** Re-activates the name's previous version; null when there is none to go back to. */
  async rollback(
    at: string,
    name: string = DEFAULT_MODEL_NAME,
  ): Promise<{ from: string; pointer: ActivePointer } | null> {
    const current = await this.active(name);
    if (!current) return null;
    for (const [i, version] of current.history.entries()) {
      const card = await this.card(version, name);
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
      await this.kv.put(pointerKey(name), JSON.stringify(pointer));
      return { from: current.version, pointer };
    }
    return null;
  }
}
