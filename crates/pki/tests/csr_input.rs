//! CSRs are outside input: every corruption of a valid one is refused with an error,
//! never a panic, and never accepted.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use der::asn1::BitString;
use der::{Decode, Encode};
use orgca_pki::csr::{CsrError, MAX_CSR_BYTES, parse_and_verify};
use orgca_pki::oids;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::name::Name;
use x509_cert::request::{CertReq, CertReqInfo, Version};

/// A valid P-256 CSR, signed here with aws-lc-rs.
fn valid_csr() -> Vec<u8> {
    let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).expect("key");
    let spki = key.public_key().as_der().expect("spki");
    let info = CertReqInfo {
        version: Version::V1,
        subject: Name::default(),
        public_key: SubjectPublicKeyInfoOwned::from_der(spki.as_ref()).expect("decode spki"),
        attributes: Default::default(),
    };
    let signed = info.to_der().expect("encode info");
    let sig = key.sign(&SystemRandom::new(), &signed).expect("sign");
    let req = CertReq {
        info,
        algorithm: AlgorithmIdentifierOwned {
            oid: oids::ECDSA_SHA256,
            parameters: None,
        },
        signature: BitString::from_bytes(sig.as_ref()).expect("bits"),
    };
    req.to_der().expect("encode")
}

#[test]
fn the_valid_csr_passes_in_der_and_pem() {
    let der = valid_csr();
    assert!(parse_and_verify(&der).is_ok());
    let pem = der::pem::encode_string("CERTIFICATE REQUEST", der::pem::LineEnding::LF, &der)
        .expect("pem");
    assert!(parse_and_verify(pem.as_bytes()).is_ok());
    let wrong_label = pem.replace("CERTIFICATE REQUEST", "CERTIFICATE");
    assert!(matches!(
        parse_and_verify(wrong_label.as_bytes()),
        Err(CsrError::Malformed(_))
    ));
}

#[test]
fn every_single_bit_flip_is_refused() {
    let der = valid_csr();
    for i in 0..der.len() {
        for bit in [0x01u8, 0x80] {
            let mut bad = der.clone();
            bad[i] ^= bit;
            assert!(
                parse_and_verify(&bad).is_err(),
                "flipping bit {bit:#x} of byte {i} was accepted"
            );
        }
    }
}

#[test]
fn every_truncation_and_oversize_is_refused() {
    let der = valid_csr();
    for n in 0..der.len() {
        assert!(
            parse_and_verify(&der[..n]).is_err(),
            "truncated to {n} bytes was accepted"
        );
    }
    let mut long = der.clone();
    long.extend(std::iter::repeat_n(0u8, 8));
    assert!(parse_and_verify(&long).is_err(), "trailing bytes accepted");
    let huge = vec![0x30; MAX_CSR_BYTES + 1];
    assert_eq!(
        parse_and_verify(&huge),
        Err(CsrError::TooLarge(MAX_CSR_BYTES + 1))
    );
    assert_eq!(parse_and_verify(b"  \n"), Err(CsrError::Empty));
}
