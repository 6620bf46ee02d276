import pandas as pd
import pytest

from riskclf.config import TrainConfig
from riskclf.errors import SchemaError
from riskclf.training import train_model


def test_trains_both_heads_and_reports_metrics(trained):
    result, _ = trained
    assert result.model.risk_levels == ("low", "medium", "high", "critical")
    assert set(result.model.theme_labels) == {
        "politics",
        "security_operations",
        "insurgency",
        "terrorism",
    }
    holdout = result.metrics["holdout"]
    assert holdout["risk_level"]["n"] == result.data["holdout_rows"] > 0
    assert result.metrics["cv"]["folds"] == 3 and len(result.metrics["cv"]["per_fold"]) == 3
    assert result.data["rows"] == 48
    assert result.data["label_counts"]["risk_level"]["critical"] == 12
    # The synthetic classes are separable: a model that cannot learn them is broken.
    assert holdout["risk_level"]["macro_f1"] > 0.9


def test_split_column_chooses_the_holdout(tiny_frame, tiny_config):
    tiny_frame["split"] = ["test" if i % 4 == 0 else "train" for i in range(len(tiny_frame))]
    result = train_model(tiny_frame, tiny_config.replace(cv_folds=0))
    assert result.data["holdout_rows"] == 12
    assert sorted(result.holdout_ids) == sorted(tiny_frame.loc[tiny_frame.split == "test", "id"])


@pytest.mark.parametrize("drop", ["risk_level", "theme"])
def test_either_head_may_be_absent(tiny_frame, tiny_config, drop):
    result = train_model(tiny_frame.drop(columns=drop), tiny_config.replace(cv_folds=0))
    assert (result.model.risk_levels is None) == (drop == "risk_level")
    assert (result.model.theme_labels is None) == (drop == "theme")


def test_no_label_column(tiny_frame, tiny_config):
    with pytest.raises(SchemaError, match="no label column"):
        train_model(tiny_frame.drop(columns=["risk_level", "theme"]), tiny_config)


def test_single_class(tiny_frame, tiny_config):
    tiny_frame["risk_level"] = "high"
    with pytest.raises(SchemaError, match="column 'risk_level' has a single class \\(high\\)"):
        train_model(tiny_frame.drop(columns="theme"), tiny_config)


def test_empty_and_blank_texts_are_named(tiny_frame, tiny_config):
    tiny_frame.loc[[0, 5], "body"] = "  "
    tiny_frame.loc[[0, 5], "title"] = ""
    with pytest.raises(
        SchemaError, match="2 rows cannot be used for training \\(2 empty text\\): low-00, low-05"
    ):
        train_model(tiny_frame, tiny_config)


def test_undecodable_text_is_named(tiny_frame, tiny_config):
    tiny_frame["body"] = tiny_frame["body"].astype(object)
    tiny_frame.loc[3, "body"] = "caf\udce9"
    with pytest.raises(SchemaError, match="1 text is not valid UTF-8\\): low-03"):
        train_model(tiny_frame, tiny_config)


def test_unknown_label(tiny_frame, tiny_config):
    tiny_frame.loc[2, "risk_level"] = "extreme"
    with pytest.raises(SchemaError, match="outside the declared set \\(extreme\\).*low-02"):
        train_model(tiny_frame, tiny_config)


def test_fewer_rows_than_folds(tiny_frame, tiny_config):
    with pytest.raises(SchemaError, match="classes with fewer training rows than cv_folds=20"):
        train_model(tiny_frame, tiny_config.replace(cv_folds=20))


def test_too_few_rows_to_hold_out(tiny_config):
    frame = pd.DataFrame({"text": ["a b", "c d", "e f"], "risk_level": ["low", "high", "low"]})
    with pytest.raises(SchemaError, match="high has fewer than 2 rows"):
        train_model(frame, tiny_config)


def test_empty_table(tiny_config):
    with pytest.raises(SchemaError, match="has no rows"):
        train_model(pd.DataFrame({"text": [], "risk_level": []}), tiny_config)


def test_duplicate_ids_rejected(tiny_frame, tiny_config):
    tiny_frame.loc[1, "id"] = tiny_frame.loc[0, "id"]
    with pytest.raises(SchemaError, match="occur more than once: low-00"):
        train_model(tiny_frame, tiny_config)


def test_same_seed_same_model(tiny_frame, tiny_config):
    config = tiny_config.replace(cv_folds=0)
    a = train_model(tiny_frame, config).model
    b = train_model(tiny_frame, config).model
    assert (a.risk_head.coef_ == b.risk_head.coef_).all()


def test_tune_uses_dev_rows_and_never_test(tiny_frame, tiny_config):
    from riskclf.training import tune_config

    tiny_frame["split"] = [
        "dev" if i % 4 == 1 else "test" if i % 4 == 2 else "train" for i in range(len(tiny_frame))
    ]
    # Make the test rows unlearnable: if tuning looked at them, scores would not be perfect.
    tiny_frame.loc[tiny_frame["split"] == "test", "risk_level"] = "low"
    grid = {
        "features": [{}],
        "risk": [{"C_risk": 0.0001}, {"C_risk": 8.0}],
        "theme": [{"C_theme": 0.0001}, {"C_theme": 8.0}],
    }
    result = tune_config(tiny_frame, tiny_config, grid=grid)
    assert result.selection == "dev split (12 rows)"
    risk = [c for c in result.candidates if c["head"] == "risk"]
    theme = [c for c in result.candidates if c["head"] == "theme"]
    assert [c["changes"]["C_risk"] for c in risk] == [0.0001, 8.0]
    # scored on the learnable dev rows only: the unlearnable test rows would cost points
    assert [c["score"] for c in risk] == [1.0, 1.0]
    # each head keeps its best candidate (the first among ties)
    assert theme[1]["score"] > theme[0]["score"]
    assert result.config.C_theme == 8.0 and result.config.C_risk == 0.0001
    assert result.to_dict()["selected"]["C_theme"] == 8.0
    test_ids = set(tiny_frame.loc[tiny_frame["split"] == "test", "id"])
    assert not test_ids & set(result.fit_ids["fit"] + result.fit_ids["validation"])
    dev_ids = set(tiny_frame.loc[tiny_frame["split"] == "dev", "id"])
    assert set(result.fit_ids["validation"]) == dev_ids


def test_tune_without_dev_uses_a_validation_split_of_the_training_rows(tiny_frame, tiny_config):
    from riskclf.training import tune_config

    grid = {"features": [{}], "risk": [{}], "theme": [{}]}
    result = tune_config(tiny_frame, tiny_config, grid=grid)
    # 48 rows: train_model holds out 10 (20%), tuning validates on a quarter of the other 38.
    assert result.selection == ("a stratified 25% validation split of the training rows (10 rows)")
    assert len(result.candidates) == 2  # one per head


def test_a_grid_that_puts_a_setting_where_it_cannot_act_is_refused(tiny_frame, tiny_config):
    from riskclf.errors import ConfigError
    from riskclf.training import tune_config

    with pytest.raises(ConfigError, match="the risk candidates of the grid cannot change"):
        tune_config(tiny_frame, tiny_config, grid={"risk": [{"char_ngrams": [2, 4]}]})
    with pytest.raises(ConfigError, match="the features candidates of the grid cannot change"):
        tune_config(tiny_frame, tiny_config, grid={"features": [{"C_risk": 2.0}]})


def test_blank_themes_as_none(tiny_frame, tiny_config):
    # primary themes only: the synthetic second theme (politics on every fourth row) is noise
    tiny_frame["theme"] = tiny_frame["theme"].str.split("|").str[0]
    tiny_frame.loc[tiny_frame["risk_level"] == "low", "theme"] = ""
    config = tiny_config.replace(blank_themes="none", min_themes=0, cv_folds=0)
    result = train_model(tiny_frame, config)
    theme = result.metrics["holdout"]["theme"]
    assert theme["unlabelled"] == 0 and theme["n"] == result.data["holdout_rows"]
    # Rows with no theme are negatives: the model can predict none.
    from riskclf.scoring import score_frame

    scored = score_frame(result.model, tiny_frame[tiny_frame["risk_level"] == "low"])
    assert (scored["theme"] == "").mean() > 0.5


def test_tune_scores_are_those_of_fitting_each_candidate_from_scratch(tiny_frame, tiny_config):
    import numpy as np
    from sklearn.metrics import f1_score

    from riskclf import training

    frame = tiny_frame
    frame["split"] = [
        "dev" if i % 3 == 1 else "test" if i % 5 == 2 else "train" for i in range(48)
    ]
    # Shuffle the labels of a few training rows so candidates score differently.
    rng = np.random.default_rng(0)
    noisy = rng.choice(frame.index[frame["split"] == "train"], 8, replace=False)
    for column in ("risk_level", "theme"):
        frame.loc[noisy, column] = rng.permutation(frame.loc[noisy, column].to_numpy())
    grid = {
        "features": [{"char_ngrams": None}, {"char_ngrams": (3, 4)}],
        "risk": [{"C_risk": 0.05}, {"C_risk": 1.0, "risk_model": "ordinal"}],
        "theme": [{"C_theme": 0.05}, {"theme_loss": "svm", "C_theme": 0.3, "theme_nb": True}],
    }
    config = tiny_config.replace(cv_folds=0)
    tuned = training.tune_config(frame, config, grid=grid)

    # From scratch: every candidate through fit_model, the function train_model fits with.
    table = training.prepare_training_table(frame, config)
    split = np.array(table.split)
    fit, val = (table.subset(np.flatnonzero(split == s)) for s in ("train", "dev"))
    levels, themes = list(config.risk_levels), sorted({t for ts in table.themes for t in ts})
    expected = []
    for feature_change in grid["features"]:
        for head in ("risk", "theme"):
            for change in grid[head]:
                candidate = config.replace(**feature_change, **change)
                model = training.export_model(training.fit_model(fit, candidate, levels, themes))
                X = model.transform(val.texts)
                risk_codes, theme_matrix = training._codes(val, levels, themes)
                if head == "risk":
                    predicted = model.risk_proba(X).argmax(axis=1)
                    score = f1_score(risk_codes, predicted, average="macro")
                else:
                    chosen = model.theme_head.decide(model.theme_proba(X))
                    score = f1_score(theme_matrix, chosen, average="macro", zero_division=0)
                expected.append(round(float(score), 4))
    assert [c["score"] for c in tuned.candidates] == expected
    assert len(set(expected)) > 3  # the check can tell candidates apart


def _record_fitted_texts(monkeypatch) -> list[str]:
    """Patch scikit-learn's TfidfVectorizer so every text any fit sees is recorded."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    seen: list[str] = []
    fit_transform = TfidfVectorizer.fit_transform

    def recording(self, raw_documents, y=None):
        seen.extend(raw_documents)
        return fit_transform(self, raw_documents, y)

    monkeypatch.setattr(TfidfVectorizer, "fit_transform", recording)
    return seen


def test_training_and_tuning_never_fit_on_held_out_rows(tiny_frame, tiny_config, monkeypatch):
    from riskclf.training import tune_config

    tiny_frame["split"] = [
        "dev" if i % 4 == 1 else "test" if i % 4 == 2 else "train" for i in range(len(tiny_frame))
    ]
    # make every text unique, so a text seen is a row seen
    tiny_frame["body"] = [f"{b} Ref {i:03d}." for i, b in enumerate(tiny_frame["body"])]
    texts = dict(
        zip(tiny_frame["id"], tiny_frame["title"] + "\n\n" + tiny_frame["body"], strict=True)
    )
    test_ids = set(tiny_frame.loc[tiny_frame["split"] == "test", "id"])
    dev_ids = set(tiny_frame.loc[tiny_frame["split"] == "dev", "id"])
    seen = _record_fitted_texts(monkeypatch)
    grid = {"features": [{}], "risk": [{}], "theme": [{}]}
    tuned = tune_config(tiny_frame, tiny_config, grid=grid)
    assert seen and not {texts[i] for i in test_ids | dev_ids} & set(seen)
    assert not test_ids & set(tuned.fit_ids["fit"] + tuned.fit_ids["validation"])
    seen.clear()
    result = train_model(tiny_frame, tiny_config)
    assert seen and not {texts[i] for i in test_ids} & set(seen)
    for part, ids in result.fitted.fit_ids.items():
        assert ids and not test_ids & set(ids), part
    assert sorted(result.holdout_ids) == sorted(test_ids)


def test_too_few_training_rows_is_a_clear_error(tiny_config):
    frame = pd.DataFrame(
        {
            "text": ["rebels attacked a post", "a budget was passed", "police arrested two"],
            "risk_level": ["high", "low", "medium"],
            "split": ["train", "train", "test"],
        }
    )
    config = TrainConfig(cv_folds=0)
    with pytest.raises(SchemaError, match="2 training rows are too few: with min_df=2 the"):
        train_model(frame, config)


def test_a_level_missing_from_training_is_named(tiny_frame, tiny_config):
    tiny_frame["split"] = ["test" if i % 4 == 0 else "train" for i in range(len(tiny_frame))]
    critical = tiny_frame["risk_level"] == "critical"
    tiny_frame.loc[critical & (tiny_frame["split"] == "train"), "risk_level"] = "high"
    with pytest.warns(UserWarning, match="risk level critical occurs in the held-out rows but"):
        result = train_model(tiny_frame, tiny_config.replace(cv_folds=0))
    assert "critical" in result.metrics["holdout"]["warnings"][0]
