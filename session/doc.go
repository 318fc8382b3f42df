// Package session keeps a user's FHIR credentials: private keys (parsed, generated, exported as a
// public JWKS), profiles in an XDG config file, and secrets in the OS keyring.
//
// The pieces, in the order a caller meets them:
//
//   - Key: a private key with the algorithm it signs with (RS384 for RSA, ES384 for EC P-384) and
//     a key id (its RFC 7638 thumbprint unless a JWK said otherwise). ParseKey reads PEM, DER, a
//     private JWK or a JWK Set; GenerateKey makes one; PublicJWKS is what a server registers.
//   - Profile and Store: the non-secret settings of each server, in a JSON file written
//     atomically with mode 0600. A file that does not parse is reported with its line and never
//     overwritten.
//   - Secrets: one OS keyring entry per profile (service "fhirscope") holding the PEM private
//     key and the client id. When no keyring answers, every call fails with an error that
//     matches ErrNoKeyring and names the alternatives; nothing falls back to plain files.
//   - ResolveCredentials / LoadCredentials: the client id and key a profile will use, from the
//     environment, the profile's key file, or the keyring, in that order.
//
// The private key leaves the keyring only through Key.MarshalPEM, which callers use for the
// keyring itself and for an export the user asked for.
package session
