//! Certificate revocation lists (RFC 5280 §5), written in one pass into one buffer.
//!
//! Entries are appended as they stream from the store; the headers, whose lengths are
//! known only at the end, are written into room left before the entries, and the
//! signature after them. A CRL of a million entries is one allocation, one copy of the
//! encoded list, and one signature.

use time::OffsetDateTime;

/// Room kept before the first entry for the TBSCertList's and the CertificateList's
/// headers (version, algorithm, issuer name, times): CA names are far shorter.
const HEAD_ROOM: usize = 2048;

/// Bytes of one entry, at most: SEQUENCE header (2) + INTEGER of 21 bytes (23) + time
/// (17) + reason extension (14).
const MAX_ENTRY: usize = 56;

/// What is wrong with a CRL being written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CrlError {
    /// A serial number that is empty, or longer than 20 bytes (RFC 5280 §4.1.2.2).
    #[error("serial of {0} bytes: a serial has 1 to 20 bytes")]
    Serial(usize),
    /// A time before 1950 or after 9999.
    #[error("time {0} cannot be written in a CRL")]
    Time(i64),
    /// A reason code that is not one of RFC 5280's.
    #[error("reason code {0} is not a CRLReason")]
    Reason(u8),
    /// The signer failed.
    #[error("signing the CRL failed: {0}")]
    Signing(String),
}

/// What a CRL says about itself.
#[derive(Clone, Debug)]
pub struct CrlHeader<'a> {
    /// The issuer's Name, DER (the CA certificate's subject).
    pub issuer: &'a [u8],
    /// The signature AlgorithmIdentifier, DER.
    pub algorithm: &'a [u8],
    /// thisUpdate.
    pub this_update: OffsetDateTime,
    /// nextUpdate.
    pub next_update: OffsetDateTime,
    /// The CRL number (strictly increasing per issuer).
    pub number: u64,
    /// The issuer's subjectKeyIdentifier (written as the authorityKeyIdentifier).
    pub authority_key_id: &'a [u8],
    /// For a partitioned CRL, the URL of this partition (written into a critical
    /// issuingDistributionPoint); `None` for a full CRL.
    pub partition_url: Option<&'a str>,
}

/// A CRL being written: entries first, then [`CrlWriter::finish`].
#[derive(Debug)]
pub struct CrlWriter {
    buf: Vec<u8>,
    entries: u64,
}

/// A signed CRL: the DER is `buf[start..]` (no copy to cut the head room off).
#[derive(Debug, Clone)]
pub struct SignedCrl {
    buf: Vec<u8>,
    start: usize,
    /// How many entries it lists.
    pub entries: u64,
}

impl SignedCrl {
    /// The DER.
    pub fn der(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// The buffer and where the DER starts in it (for a zero-copy `Bytes::slice`).
    pub fn into_parts(self) -> (Vec<u8>, usize) {
        (self.buf, self.start)
    }
}

impl CrlWriter {
    /// A writer with room for about `expected` entries.
    pub fn new(expected: usize) -> CrlWriter {
        let mut buf = Vec::with_capacity(HEAD_ROOM + expected.saturating_mul(MAX_ENTRY) + 1024);
        buf.resize(HEAD_ROOM, 0);
        CrlWriter { buf, entries: 0 }
    }

    /// Lists a certificate: its serial (unsigned big-endian, as stored), when it was
    /// revoked, and its CRLReason; reason 0 (unspecified) is left out, as RFC 5280
    /// §5.3.1 asks.
    pub fn push(&mut self, serial: &[u8], revoked_at: i64, reason: u8) -> Result<(), CrlError> {
        if !matches!(reason, 0..=6 | 8..=10) {
            return Err(CrlError::Reason(reason));
        }
        let serial = strip_zeros(serial);
        if serial.is_empty() || serial.len() > 20 {
            return Err(CrlError::Serial(serial.len()));
        }
        let pad = usize::from(serial[0] & 0x80 != 0);
        let int_len = serial.len() + pad;
        let mut time = [0u8; 17];
        let time = time_der(revoked_at, &mut time)?;
        let ext_len = if reason == 0 { 0 } else { 14 };
        let content = 2 + int_len + time.len() + ext_len;
        // content is at most 54 bytes: a one-byte length.
        self.buf
            .extend_from_slice(&[0x30, content as u8, 0x02, int_len as u8]);
        if pad == 1 {
            self.buf.push(0);
        }
        self.buf.extend_from_slice(serial);
        self.buf.extend_from_slice(time);
        if reason != 0 {
            // Extensions { Extension { reasonCode, OCTET STRING { ENUMERATED reason } } }
            self.buf.extend_from_slice(&[
                0x30, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d, 0x15, 0x04, 0x03, 0x0a, 0x01,
                reason,
            ]);
        }
        self.entries += 1;
        Ok(())
    }

    /// Writes the headers and extensions around the entries and signs: `sign` gets the
    /// TBSCertList's DER and answers the signature value.
    pub fn finish(
        mut self,
        header: &CrlHeader<'_>,
        sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, String>,
    ) -> Result<SignedCrl, CrlError> {
        let entries_len = self.buf.len() - HEAD_ROOM;
        self.buf.extend_from_slice(&crl_extensions(header));
        // Everything of the TBSCertList that comes before the entries.
        let mut pre = vec![0x02, 0x01, 0x01]; // version v2
        pre.extend_from_slice(header.algorithm);
        pre.extend_from_slice(header.issuer);
        let mut t = [0u8; 17];
        pre.extend_from_slice(time_der(header.this_update.unix_timestamp(), &mut t)?);
        pre.extend_from_slice(time_der(header.next_update.unix_timestamp(), &mut t)?);
        if self.entries > 0 {
            push_header(&mut pre, 0x30, entries_len);
        }
        let tbs_content = pre.len() + (self.buf.len() - HEAD_ROOM);
        let mut tbs_head = Vec::with_capacity(6);
        push_header(&mut tbs_head, 0x30, tbs_content);
        tbs_head.extend_from_slice(&pre);
        // Room for the outer header (at most 6 bytes) as well.
        if tbs_head.len() + 6 > HEAD_ROOM {
            let grow = tbs_head.len() + 6 - HEAD_ROOM;
            self.buf.splice(0..0, std::iter::repeat_n(0, grow));
        }
        let entries_at = self.buf.len() - tbs_content + pre.len();
        let tbs_start = entries_at - tbs_head.len();
        self.buf[tbs_start..entries_at].copy_from_slice(&tbs_head);
        let signature = sign(&self.buf[tbs_start..]).map_err(CrlError::Signing)?;
        let mut tail = header.algorithm.to_vec();
        push_header(&mut tail, 0x03, signature.len() + 1);
        tail.push(0);
        tail.extend_from_slice(&signature);
        let mut outer = Vec::with_capacity(6);
        push_header(&mut outer, 0x30, self.buf.len() - tbs_start + tail.len());
        let start = tbs_start - outer.len();
        self.buf[start..tbs_start].copy_from_slice(&outer);
        self.buf.extend_from_slice(&tail);
        Ok(SignedCrl {
            buf: self.buf,
            start,
            entries: self.entries,
        })
    }
}

/// `[0] EXPLICIT Extensions`: authorityKeyIdentifier, cRLNumber and, for a partition,
/// a critical issuingDistributionPoint naming its URL.
fn crl_extensions(h: &CrlHeader<'_>) -> Vec<u8> {
    let mut exts = Vec::new();
    // AKI: Extension { id, OCTET STRING { SEQUENCE { [0] keyIdentifier } } }
    let mut aki = Vec::new();
    push_header(&mut aki, 0x80, h.authority_key_id.len());
    aki.extend_from_slice(h.authority_key_id);
    extension(&mut exts, &[0x55, 0x1d, 0x23], false, &sequence(&aki));
    // cRLNumber: INTEGER
    let number = h.number.to_be_bytes();
    let n = strip_zeros(&number);
    let mut int = Vec::new();
    let n: &[u8] = if n.is_empty() { &[0] } else { n };
    push_header(&mut int, 0x02, n.len() + usize::from(n[0] & 0x80 != 0));
    if n[0] & 0x80 != 0 {
        int.push(0);
    }
    int.extend_from_slice(n);
    extension(&mut exts, &[0x55, 0x1d, 0x14], false, &int);
    if let Some(url) = h.partition_url {
        // IssuingDistributionPoint { [0] distributionPoint { [0] fullName { [6] URI } } }
        let mut uri = Vec::new();
        push_header(&mut uri, 0x86, url.len());
        uri.extend_from_slice(url.as_bytes());
        let mut full_name = Vec::new();
        push_header(&mut full_name, 0xa0, uri.len());
        full_name.extend_from_slice(&uri);
        let mut dp = Vec::new();
        push_header(&mut dp, 0xa0, full_name.len());
        dp.extend_from_slice(&full_name);
        extension(&mut exts, &[0x55, 0x1d, 0x1c], true, &sequence(&dp));
    }
    let exts = sequence(&exts);
    let mut out = Vec::new();
    push_header(&mut out, 0xa0, exts.len());
    out.extend_from_slice(&exts);
    out
}

/// Appends `Extension { extnID, critical?, extnValue OCTET STRING { value } }`.
fn extension(out: &mut Vec<u8>, oid: &[u8], critical: bool, value: &[u8]) {
    let mut e = Vec::new();
    push_header(&mut e, 0x06, oid.len());
    e.extend_from_slice(oid);
    if critical {
        e.extend_from_slice(&[0x01, 0x01, 0xff]);
    }
    push_header(&mut e, 0x04, value.len());
    e.extend_from_slice(value);
    out.extend_from_slice(&sequence(&e));
}

fn sequence(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    push_header(&mut out, 0x30, content.len());
    out.extend_from_slice(content);
    out
}

/// A DER tag and definite length.
fn push_header(out: &mut Vec<u8>, tag: u8, len: usize) {
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let l = strip_zeros(&bytes);
        out.push(0x80 | l.len() as u8);
        out.extend_from_slice(l);
    }
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let first = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[first..]
}

/// UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §5.1.2.4), into `out`.
fn time_der(unix: i64, out: &mut [u8; 17]) -> Result<&[u8], CrlError> {
    let t = OffsetDateTime::from_unix_timestamp(unix).map_err(|_| CrlError::Time(unix))?;
    let year = t.year();
    if !(1950..=9999).contains(&year) {
        return Err(CrlError::Time(unix));
    }
    let two = |v: u8, o: &mut [u8]| {
        o[0] = b'0' + v / 10;
        o[1] = b'0' + v % 10;
    };
    let (len, at) = if year < 2050 {
        out[0] = 0x17;
        out[1] = 13;
        two((year % 100) as u8, &mut out[2..4]);
        (15, 4)
    } else {
        out[0] = 0x18;
        out[1] = 15;
        two((year / 100) as u8, &mut out[2..4]);
        two((year % 100) as u8, &mut out[4..6]);
        (17, 6)
    };
    two(u8::from(t.month()), &mut out[at..at + 2]);
    two(t.day(), &mut out[at + 2..at + 4]);
    two(t.hour(), &mut out[at + 4..at + 6]);
    two(t.minute(), &mut out[at + 6..at + 8]);
    two(t.second(), &mut out[at + 8..at + 10]);
    out[at + 10] = b'Z';
    Ok(&out[..len])
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode as _;
    type CertificateList = x509_cert::crl::CertificateList<x509_cert::certificate::Rfc5280>;

    fn header<'a>(issuer: &'a [u8], alg: &'a [u8], partition: Option<&'a str>) -> CrlHeader<'a> {
        CrlHeader {
            issuer,
            algorithm: alg,
            this_update: OffsetDateTime::from_unix_timestamp(1_795_000_000).expect("t"),
            next_update: OffsetDateTime::from_unix_timestamp(1_795_086_400).expect("t"),
            number: 300,
            authority_key_id: &[7; 20],
            partition_url: partition,
        }
    }

    fn fixed_name() -> Vec<u8> {
        use der::Encode as _;
        crate::name::CaName {
            common_name: "Test CA".into(),
            organization: "orgca".into(),
            organizational_unit: None,
            country: "DK".into(),
        }
        .to_rdn_sequence()
        .expect("name")
        .to_der()
        .expect("der")
    }

    /// Whatever the entries, the result parses as a CertificateList whose parts are
    /// what was written, and `sign` saw exactly the TBSCertList.
    #[test]
    fn written_crls_parse_back() {
        use der::Encode as _;
        let issuer = fixed_name();
        let alg = crate::SignatureAlgorithm::RsaPssSha256
            .identifier()
            .to_der()
            .expect("alg");
        for (n, partition) in [
            (0usize, None),
            (1, None),
            (3, Some("http://x/crl/a-1.crl")),
            (2000, None),
        ] {
            let mut w = CrlWriter::new(n);
            for i in 0..n {
                let serial = [0x80 | (i as u8), 1, 2, 3, (i >> 8) as u8, i as u8];
                w.push(&serial, 1_790_000_000 + i as i64, [0, 1, 3, 4, 5][i % 5])
                    .expect("push");
            }
            let mut seen = Vec::new();
            let crl = w
                .finish(&header(&issuer, &alg, partition), |tbs| {
                    seen = tbs.to_vec();
                    Ok(vec![0xab; 384])
                })
                .expect("finish");
            let parsed: CertificateList = CertificateList::from_der(crl.der()).expect("parses");
            assert_eq!(parsed.tbs_cert_list.to_der().expect("tbs"), seen);
            let revoked = parsed
                .tbs_cert_list
                .revoked_certificates
                .unwrap_or_default();
            assert_eq!(revoked.len(), n);
            if n > 0 {
                // A serial with its top bit set gets a zero byte: INTEGERs are signed.
                assert_eq!(
                    revoked[0].serial_number.as_bytes(),
                    &[0, 0x80, 1, 2, 3, 0, 0]
                );
                assert!(
                    revoked[0].crl_entry_extensions.is_none(),
                    "unspecified is left out"
                );
            }
            if n > 1 {
                let ext = revoked[1].crl_entry_extensions.as_ref().expect("reason");
                assert_eq!(ext[0].extn_value.as_bytes(), &[0x0a, 0x01, 1]);
                assert_eq!(ext[0].extn_id.to_string(), "2.5.29.21");
            }
            let exts = parsed.tbs_cert_list.crl_extensions.expect("extensions");
            assert_eq!(exts.len(), 2 + usize::from(partition.is_some()));
            assert_eq!(exts[1].extn_value.as_bytes(), &[0x02, 0x02, 0x01, 0x2c]);
            assert_eq!(parsed.signature.raw_bytes(), &[0xab; 384][..]);
        }
    }

    #[test]
    fn bad_entries_are_refused() {
        let mut w = CrlWriter::new(1);
        assert_eq!(w.push(&[0; 4], 0, 0), Err(CrlError::Serial(0)));
        assert_eq!(w.push(&[1; 21], 0, 0), Err(CrlError::Serial(21)));
        assert_eq!(w.push(&[1], 0, 7), Err(CrlError::Reason(7)));
        assert_eq!(
            w.push(&[1], -1_000_000_000_000, 0),
            Err(CrlError::Time(-1_000_000_000_000))
        );
    }

    #[test]
    fn times_switch_to_generalized_in_2050() {
        let mut t = [0u8; 17];
        assert_eq!(
            time_der(2_524_607_999, &mut t).expect("t"),
            b"\x17\x0d491231235959Z"
        );
        assert_eq!(
            time_der(2_524_608_000, &mut t).expect("t"),
            b"\x18\x0f20500101000000Z"
        );
    }
}
