/**
 * Schemas of the auth, users and API-key routes (TypeBox). Secrets appear only in request
 * bodies and in the one response that hands them out (login/refresh, user and key creation).
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { ROLES } from '../auth/principal.ts';
import { API_KEY_SCOPES } from '../services/api-key.service.ts';

/** One of the roles. */
export const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)), { description: 'viewer < operator < engineer < admin' });

const Password = Type.String({ minLength: 1, maxLength: 1024 });

/** `POST /auth/login` body. */
export const LoginBodySchema = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 128 }), password: Password },
  { additionalProperties: false },
);
/** `POST /auth/refresh` and `POST /auth/logout` body. */
export const RefreshBodySchema = Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
/** `POST /auth/password` body. */
export const PasswordChangeBodySchema = Type.Object(
  { currentPassword: Password, newPassword: Type.String({ minLength: 12, maxLength: 256, description: '12 to 256 characters' }) },
  { additionalProperties: false },
);

/** A local user. */
export const UserSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    username: Type.String(),
    email: Type.Union([Type.String(), Type.Null()]),
    role: RoleSchema,
    disabled: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'User', title: 'User' },
);

/** Tokens of a session (login and refresh). */
export const TokenPairSchema = Type.Object(
  {
    accessToken: Type.String({ description: 'JWT for `Authorization: Bearer`' }),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer({ description: 'seconds until the access token expires' }),
    refreshToken: Type.String({ description: 'single use: refreshing returns a new one; reusing a spent one revokes the session' }),
    refreshExpiresIn: Type.Integer({ description: 'seconds until the refresh token expires' }),
    user: Type.Ref('User'),
  },
  { $id: 'TokenPair', title: 'TokenPair' },
);

/** Who the caller is (`GET /auth/me`). */
export const MeSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('user'), Type.Literal('api-key'), Type.Literal('token')]),
    subject: Type.String(),
    accountId: Type.String(),
    role: RoleSchema,
    name: Type.Optional(Type.String()),
    scopes: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'Me', title: 'Me' },
);

/** `GET /users` query. */
export const ListQuerySchema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
    cursor: Type.Optional(Type.String({ maxLength: 512, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

/** A page of users. */
export const UserPageSchema = Type.Object({ items: Type.Array(Type.Ref('User')), nextCursor: Type.Optional(Type.String()) });

/** `POST /users` body. */
export const CreateUserBodySchema = Type.Object(
  {
    username: Type.String({ minLength: 2, maxLength: 64, description: 'letters, digits and . _ @ -; stored lower-case' }),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    role: RoleSchema,
    password: Type.Optional(Type.String({ minLength: 12, maxLength: 256, description: 'generated and returned once when omitted' })),
  },
  { additionalProperties: false },
);
/** `POST /users` response: the user, and its password when it was generated. */
export const CreatedUserSchema = Type.Object({ user: Type.Ref('User'), password: Type.Optional(Type.String({ description: 'shown once' })) });

/** `PATCH /users/:id` body. */
export const UpdateUserBodySchema = Type.Object(
  { role: Type.Optional(RoleSchema), disabled: Type.Optional(Type.Boolean({ description: 'disabling also ends the user\'s sessions' })) },
  { additionalProperties: false, minProperties: 1 },
);

/** `:id` of a user or key. */
export const IdParamsSchema = Type.Object({ id: Type.String({ format: 'uuid' }) });

const ScopeSchema = Type.Union(API_KEY_SCOPES.map((s) => Type.Literal(s)), { description: 'read: GET/HEAD; write: every other method' });

/** An API key (never its secret). */
export const ApiKeySchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    prefix: Type.String({ description: 'the xqc_<prefix>_ part, to recognise a key' }),
    role: RoleSchema,
    scopes: Type.Array(ScopeSchema),
    createdBy: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'ApiKey', title: 'ApiKey' },
);

/** `POST /api-keys` body. */
export const CreateApiKeyBodySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    role: Type.Optional(RoleSchema),
    scopes: Type.Optional(Type.Array(ScopeSchema, { minItems: 1, maxItems: 2 })),
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
/** `POST /api-keys` response: the key itself, shown once. */
export const CreatedApiKeySchema = Type.Object({
  key: Type.String({ description: 'xqc_<prefix>_<secret>: shown once, send as `Authorization: Bearer` or `x-api-key`' }),
  apiKey: Type.Ref('ApiKey'),
});
/** `GET /api-keys` query. */
export const ApiKeyListQuerySchema = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) }, { additionalProperties: false });
/** `GET /api-keys` response. */
export const ApiKeyListSchema = Type.Object({ items: Type.Array(Type.Ref('ApiKey')) });

/** One audit-log entry. */
export const AuditEntrySchema = Type.Object(
  {
    id: Type.String(),
    at: Type.String({ format: 'date-time' }),
    actor: Type.Object({ kind: Type.String(), id: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }),
    action: Type.String(),
    targetType: Type.Union([Type.String(), Type.Null()]),
    targetId: Type.Union([Type.String(), Type.Null()]),
    details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
    requestId: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'AuditEntry', title: 'AuditEntry' },
);
/** A page of audit entries. */
export const AuditPageSchema = Type.Object({ items: Type.Array(Type.Ref('AuditEntry')), nextCursor: Type.Optional(Type.String()) });

/** Schemas with an `$id`, registered once at the root by the auth plugin and referenced by name. */
export const AUTH_SHARED_SCHEMAS = [UserSchema, TokenPairSchema, MeSchema, ApiKeySchema, AuditEntrySchema] as const;

/** Static types of the bodies. */
export type LoginBody = Static<typeof LoginBodySchema>;
export type CreateUserBody = Static<typeof CreateUserBodySchema>;
export type CreateApiKeyBody = Static<typeof CreateApiKeyBodySchema>;
