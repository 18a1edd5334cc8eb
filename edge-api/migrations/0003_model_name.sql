-- Several named models: each logged prediction records the name it was served under. Rows logged before this
-- migration were all the single model's, which is the default model 'churn'. Shipped rows keep their shape: the
-- centre knows the model by `model_version`.
ALTER TABLE predictions ADD COLUMN model_name TEXT NOT NULL DEFAULT 'churn';
