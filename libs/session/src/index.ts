/** Version of the `@nest-hive/session` package. */
export const SESSION_PACKAGE_VERSION = '0.1.0';
