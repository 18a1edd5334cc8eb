// The chosen model's features for an analysis request: from its production version's card, else its newest.
import { type FeatureKind, featuresOfCard } from '../analysis/protocol';
import { useLiveQuery } from '../hooks';
import { useServices } from '../services';
import { historyOfName, modelNameOf } from '../store/model-names';
import { currentAliases } from '../store/queries';

export function useModelFeatures(): FeatureKind[] | null {
  const { db, modelName } = useServices();
  return useLiveQuery(
    async () => {
      const [models, history] = await Promise.all([
        db.models.orderBy('ts').reverse().toArray(),
        db.alias_history.toArray(),
      ]);
      const mine = models.filter((m) => modelNameOf(m) === modelName);
      const production = currentAliases(historyOfName(history, models, modelName)).get(
        'production',
      )?.to_version;
      const model = mine.find((m) => m.version === production) ?? mine[0];
      return model ? featuresOfCard(model.card) : null;
    },
    [db, modelName],
    null,
  );
}
