/** What a user copies from the sign-in page after "Recover your account" from the wrong place. */
export const AADSTS55200_PAGE = `Microsoft
Sign in
alex.wilber@contoso.com

Sorry, but we're having trouble signing you in.

AADSTS55200: The continuation_token is invalid.

Troubleshooting details
If you contact your administrator, send this info to them.
Copy info to clipboard

Request Id: 3f2a9c1e-7b44-4d2e-9a61-0c5e8d7f1b23
Correlation Id: 8c1d4e7a-2b3f-4a5c-9d6e-1f0a2b3c4d5e
Timestamp: 2025-12-10T10:11:12Z
Message: AADSTS55200: The continuation_token is invalid.

Advanced diagnostics: Disable
If you plan on getting support for an issue, turn this on and try to reproduce the error.

Terms of use   Privacy & cookies   ...`;
