/** The custom resource types that the Lake Formation handler serves. */
export const RESOURCE_TYPES = {
  /** One principal made a data lake admin. */
  admin: 'Custom::DataLakeAdmin',
  /** New databases and tables governed by Lake Formation rather than IAM alone. */
  defaultPermissions: 'Custom::DataLakeDefaultPermissions',
  /** One database or table taken from IAM_ALLOWED_PRINCIPALS and handed to Lake Formation. */
  iamAllowedPrincipals: 'Custom::IamAllowedPrincipalsRevocation',
} as const;
