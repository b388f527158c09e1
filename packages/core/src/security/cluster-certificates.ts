import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

/** PEM texts of a cluster's TLS material: the CA certificate, and one certificate + key signed by it. */
export interface TlsPem {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;

/**
 * A private CA for one cluster and ONE certificate signed by it, which the scheduler, the workers
 * and the clients all present (as dask-gateway does): distributed requires a certificate from both
 * sides of every connection and trusts exactly this CA. The CA's private key is never written
 * anywhere, so nobody can issue a second certificate. ECDSA P-256, SHA-256, valid from a day ago
 * (clock skew) for `validDays`. Built with @peculiar/x509 on Node's WebCrypto.
 */
export async function createClusterCertificates(clusterId: string, validDays = 30): Promise<TlsPem> {
  const crypto = webcrypto as unknown as NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;
  const subtle = webcrypto.subtle;
  const notBefore = new Date(Date.now() - DAY_MS);
  const notAfter = new Date(Date.now() + validDays * DAY_MS);
  const caKeys = (await subtle.generateKey(ALGORITHM, false, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: `CN=daskq ${clusterId} CA`,
      keys: caKeys,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const keys = (await subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create(
    {
      subject: "CN=dask-internal",
      issuer: ca.subject,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: "dns", value: "dask-internal" },
          { type: "dns", value: clusterId },
        ]),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const pkcs8 = await subtle.exportKey("pkcs8", keys.privateKey);
  return { ca: ca.toString("pem"), cert: cert.toString("pem"), key: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") };
}
