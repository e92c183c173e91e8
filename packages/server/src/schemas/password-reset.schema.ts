/** Schemas of `POST /auth/password-reset` and `POST /auth/password-reset/confirm` (TypeBox). */
import { Type } from '@sinclair/typebox';

/** Body of `POST /auth/password-reset`: a username or an e-mail. */
export const PasswordResetRequestSchema = Type.Object(
  {
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: 'login name' })),
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 320, description: "the account's e-mail" })),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1, description: 'exactly one of username or email' },
);

/** Body of `POST /auth/password-reset/confirm`. */
export const PasswordResetConfirmSchema = Type.Object(
  {
    token: Type.String({ minLength: 20, maxLength: 200, description: 'the `token` of the mailed link' }),
    newPassword: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

/** Answer of `POST /auth/password-reset` (always the same). */
export const PasswordResetAcceptedSchema = Type.Object({
  status: Type.Literal('accepted', { description: 'if an account matches and has an e-mail, a link is on its way; the answer is the same either way' }),
});
