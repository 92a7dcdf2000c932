/**
 * The Python files a pyodide worker installs into its site-packages: the runner and its modules, and the
 * snorkel stand-in package (python/snorkel/), with the module paths of Snorkel 0.9 that LF files import
 * (`snorkel.labeling.lf.core`, `snorkel.preprocess.core`, ...). The native runtime reads the same folder
 * from dist/python/shim (scripts/build.mjs copies it whole).
 */
import pySnorkel from '../python/snorkel/__init__.py';
import pySnorkelCompat from '../python/snorkel/_compat.py';
import pySnorkelAnalysis from '../python/snorkel/analysis/__init__.py';
import pySnorkelLabeling from '../python/snorkel/labeling/__init__.py';
import pySnorkelLabelingAnalysis from '../python/snorkel/labeling/analysis.py';
import pySnorkelLabelingApply from '../python/snorkel/labeling/apply/__init__.py';
import pySnorkelLabelingApplyCore from '../python/snorkel/labeling/apply/core.py';
import pySnorkelLabelingApplyDask from '../python/snorkel/labeling/apply/dask.py';
import pySnorkelLabelingApplyPandas from '../python/snorkel/labeling/apply/pandas.py';
import pySnorkelLabelingApplySpark from '../python/snorkel/labeling/apply/spark.py';
import pySnorkelLabelingLf from '../python/snorkel/labeling/lf/__init__.py';
import pySnorkelLabelingLfNlp from '../python/snorkel/labeling/lf/nlp.py';
import pySnorkelLabelingModel from '../python/snorkel/labeling/model/__init__.py';
import pySnorkelLabelingModelBaselines from '../python/snorkel/labeling/model/baselines.py';
import pySnorkelLabelingModelLabelModel from '../python/snorkel/labeling/model/label_model.py';
import pySnorkelPreprocess from '../python/snorkel/preprocess/__init__.py';
import pySnorkelPreprocessNlp from '../python/snorkel/preprocess/nlp.py';
import pySnorkelTypes from '../python/snorkel/types/__init__.py';
import pySnorkelLabelingPreprocess from '../python/snorkel/labeling/preprocess/__init__.py';
import pySnorkelUtils from '../python/snorkel/utils/__init__.py';
import applySource from '../python/lf_apply.py';
import astSource from '../python/lf_ast.py';
import bridgesSource from '../python/lf_bridges.py';
import cacheMarkersSource from '../python/lf_cache_markers.py';
import errorsSource from '../python/lf_errors.py';
import findersSource from '../python/lf_finders.py';
import guardSource from '../python/lf_guard.py';
import restoreSource from '../python/lf_restore.py';
import rowsSource from '../python/lf_rows.py';
import rowClassSource from '../python/lf_row_class.py';
import nestedSource from '../python/lf_nested.py';
import votesSource from '../python/lf_votes.py';
import statementsSource from '../python/lf_statements.py';
import runnerSource from '../python/lf_runner.py';
import structureSource from '../python/lf_structure.py';
import pySnorkelLabelingLfCore from '../python/snorkel/labeling/lf/core.py';
import pySnorkelLabelingUtils from '../python/snorkel/labeling/utils.py';
import pySnorkelPreprocessCore from '../python/snorkel/preprocess/core.py';
import pySnorkelMap from '../python/snorkel/map/__init__.py';
import pySnorkelMapCore from '../python/snorkel/map/core.py';

/** Files installed into site-packages of the virtual filesystem. */
export const PYTHON_FILES: Record<string, string> = {
  'snorkel/__init__.py': pySnorkel,
  'snorkel/_compat.py': pySnorkelCompat,
  'snorkel/analysis/__init__.py': pySnorkelAnalysis,
  'snorkel/labeling/__init__.py': pySnorkelLabeling,
  'snorkel/labeling/analysis.py': pySnorkelLabelingAnalysis,
  'snorkel/labeling/apply/__init__.py': pySnorkelLabelingApply,
  'snorkel/labeling/apply/core.py': pySnorkelLabelingApplyCore,
  'snorkel/labeling/apply/dask.py': pySnorkelLabelingApplyDask,
  'snorkel/labeling/apply/pandas.py': pySnorkelLabelingApplyPandas,
  'snorkel/labeling/apply/spark.py': pySnorkelLabelingApplySpark,
  'snorkel/labeling/lf/__init__.py': pySnorkelLabelingLf,
  'snorkel/labeling/lf/core.py': pySnorkelLabelingLfCore,
  'snorkel/labeling/lf/nlp.py': pySnorkelLabelingLfNlp,
  'snorkel/labeling/model/__init__.py': pySnorkelLabelingModel,
  'snorkel/labeling/model/baselines.py': pySnorkelLabelingModelBaselines,
  'snorkel/labeling/model/label_model.py': pySnorkelLabelingModelLabelModel,
  'snorkel/labeling/utils.py': pySnorkelLabelingUtils,
  'snorkel/labeling/preprocess/__init__.py': pySnorkelLabelingPreprocess,
  'snorkel/map/__init__.py': pySnorkelMap,
  'snorkel/map/core.py': pySnorkelMapCore,
  'snorkel/preprocess/__init__.py': pySnorkelPreprocess,
  'snorkel/preprocess/core.py': pySnorkelPreprocessCore,
  'snorkel/preprocess/nlp.py': pySnorkelPreprocessNlp,
  'snorkel/types/__init__.py': pySnorkelTypes,
  'snorkel/utils/__init__.py': pySnorkelUtils,
  'lf_apply.py': applySource,
  'lf_ast.py': astSource,
  'lf_bridges.py': bridgesSource,
  'lf_cache_markers.py': cacheMarkersSource,
  'lf_errors.py': errorsSource,
  'lf_finders.py': findersSource,
  'lf_guard.py': guardSource,
  'lf_restore.py': restoreSource,
  'lf_rows.py': rowsSource,
  'lf_row_class.py': rowClassSource,
  'lf_nested.py': nestedSource,
  'lf_votes.py': votesSource,
  'lf_statements.py': statementsSource,
  'lf_runner.py': runnerSource,
  'lf_structure.py': structureSource,
};
