/** Version of the `@nest-hive/cluster` package. */
export const CLUSTER_PACKAGE_VERSION = '0.1.0';
