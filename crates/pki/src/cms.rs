//! CMS SignedData for CAdES baseline B (ETSI EN 319 122-1) and PAdES (ETSI EN 319 142-1):
//! detached content, one signer identified by issuer and serial, SHA-256.
//!
//! Signing is two steps so that this crate never holds a key: [`SignedAttributes::new`]
//! gives the DER the signer signs, and [`SignedAttributes::into_signed_data`] wraps the
//! signature into a `ContentInfo`.

use ::time::OffsetDateTime;
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{Any, OctetString, SetOfVec};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use crate::{DerError, SignatureAlgorithm, oids};

/// IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber } (RFC 5035).
#[derive(Clone, Debug, Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

/// ESSCertIDv2 with the default hash algorithm (SHA-256), which DER leaves out.
#[derive(Clone, Debug, Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
    issuer_serial: IssuerSerial,
}

/// SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 } (no policies).
#[derive(Clone, Debug, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

fn sha256_id() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: oids::SHA256,
        parameters: None,
    }
}

fn attribute(oid: der::asn1::ObjectIdentifier, value: Any) -> Result<Attribute, DerError> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value])?,
    })
}

/// SHA-256 of some bytes.
pub fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    for p in parts {
        ctx.update(p);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// The signed attributes of one signature, and the certificates that go with it.
#[derive(Debug)]
pub struct SignedAttributes {
    attrs: SetOfVec<Attribute>,
    signer: Certificate,
    chain: Vec<Certificate>,
}

impl SignedAttributes {
    /// content-type (id-data), message-digest, signing-certificate-v2 and, for CAdES
    /// only, signing-time (PAdES keeps the time in the signature dictionary's `/M`).
    /// `chain` is the issuing CA (the root stays out: relying parties have it).
    pub fn new(
        content_sha256: &[u8; 32],
        signer_der: &[u8],
        chain_der: &[&[u8]],
        signing_time: Option<OffsetDateTime>,
    ) -> Result<SignedAttributes, DerError> {
        let signer = Certificate::from_der(signer_der)?;
        let chain = chain_der
            .iter()
            .map(|d| Certificate::from_der(d))
            .collect::<Result<Vec<_>, _>>()?;
        let tbs = signer.tbs_certificate();
        let ess = SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                cert_hash: OctetString::new(sha256(&[signer_der]))?,
                issuer_serial: IssuerSerial {
                    issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                    serial_number: tbs.serial_number().clone(),
                },
            }],
        };
        let mut attrs = vec![
            attribute(oids::ATTR_CONTENT_TYPE, Any::encode_from(&oids::CMS_DATA)?)?,
            attribute(
                oids::ATTR_MESSAGE_DIGEST,
                Any::encode_from(&OctetString::new(content_sha256.as_slice())?)?,
            )?,
            attribute(oids::ATTR_SIGNING_CERTIFICATE_V2, Any::encode_from(&ess)?)?,
        ];
        if let Some(t) = signing_time {
            attrs.push(attribute(
                oids::ATTR_SIGNING_TIME,
                Any::encode_from(&crate::time::to_x509_time(t)?)?,
            )?);
        }
        Ok(SignedAttributes {
            attrs: SetOfVec::try_from(attrs)?,
            signer,
            chain,
        })
    }

    /// What the signer signs: the DER of the attributes as a SET OF (RFC 5652 §5.4).
    pub fn to_be_signed(&self) -> Result<Vec<u8>, DerError> {
        Ok(self.attrs.to_der()?)
    }

    /// The `ContentInfo` with the detached SignedData around `signature`.
    pub fn into_signed_data(
        self,
        algorithm: SignatureAlgorithm,
        signature: &[u8],
    ) -> Result<Vec<u8>, DerError> {
        let tbs = self.signer.tbs_certificate();
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: tbs.issuer().clone(),
                serial_number: tbs.serial_number().clone(),
            }),
            digest_alg: sha256_id(),
            signed_attrs: Some(self.attrs),
            signature_algorithm: algorithm.identifier(),
            signature: OctetString::new(signature)?,
            unsigned_attrs: None,
        };
        let certs: Vec<CertificateChoices> = std::iter::once(self.signer)
            .chain(self.chain)
            .map(CertificateChoices::Certificate)
            .collect();
        let signed = SignedData {
            version: CmsVersion::V1,
            digest_algorithms: SetOfVec::try_from(vec![sha256_id()])?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: oids::CMS_DATA,
                econtent: None,
            },
            certificates: Some(CertificateSet(SetOfVec::try_from(certs)?)),
            crls: None,
            signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info])?),
        };
        let info = ContentInfo {
            content_type: oids::CMS_SIGNED_DATA,
            content: Any::encode_from(&signed)?,
        };
        Ok(info.to_der()?)
    }
}
