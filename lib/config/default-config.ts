import { DEFAULT_AMAZON_ML_CONFIG } from '../amazon-ml/config';
import { DEFAULT_CATALOG_CONFIG } from '../catalog/config';
import { DEFAULT_EDGE_CONFIG } from '../edge/config';
import { DEFAULT_GOVERNANCE_CONFIG } from '../governance/config';
import { DEFAULT_REPLICATION_CONFIG } from '../replication/config';
import { DEFAULT_SNAPSHOTS_CONFIG } from '../snapshots/config';
import { DEFAULT_NETWORK_CONFIG, DEFAULT_SOURCES_CONFIG } from '../sources/config';
import { DEFAULT_STORAGE_CONFIG } from '../storage/config';
import { BANKING_DATASET } from './dataset';
import type { AppConfigInput } from './schema';

/**
 * The built-in configuration: every capability on, over the Amazon ML tutorials' `banking`
 * table, and no training snapshot. It synthesizes with no AWS account; a user's file is merged over it.
 */
export const DEFAULT_CONFIG: AppConfigInput = {
  projectName: 'ml-foundation',
  features: { amazonMl: true, replication: true, governance: true, edge: true },
  tags: { project: 'ml-data-foundation' },
  storage: DEFAULT_STORAGE_CONFIG,
  network: DEFAULT_NETWORK_CONFIG,
  sources: DEFAULT_SOURCES_CONFIG,
  datasets: [BANKING_DATASET],
  amazonMl: DEFAULT_AMAZON_ML_CONFIG,
  replication: DEFAULT_REPLICATION_CONFIG,
  catalog: DEFAULT_CATALOG_CONFIG,
  governance: DEFAULT_GOVERNANCE_CONFIG,
  edge: DEFAULT_EDGE_CONFIG,
  snapshots: DEFAULT_SNAPSHOTS_CONFIG,
};
