//! PAdES baseline B placement (ETSI EN 319 142-1): an incremental update that adds a
//! signature field and a `/Sig` dictionary (`ETSI.CAdES.detached`) whose `/ByteRange`
//! covers the whole file except the `/Contents` hole, which receives the CMS.
//!
//! The original bytes are kept as they are: the update is appended after them.

use lopdf::{Dictionary, Document, IncrementalDocument, Object, ObjectId, StringFormat};
use time::OffsetDateTime;

use crate::SignError;

/// Bytes reserved for the CMS in `/Contents` (written as twice as many hex digits).
pub const CONTENTS_RESERVED: usize = 8192;

/// A PDF with its signature's place made and the digest of what the signature covers.
#[derive(Debug)]
pub struct Prepared {
    bytes: Vec<u8>,
    /// Where `<` of `/Contents` is, and the offset just after `>`.
    hole: (usize, usize),
}

fn broken(what: impl std::fmt::Display) -> SignError {
    SignError::BadPdf(format!("the PDF cannot be read: {what}"))
}

/// Reads a PDF: refused when it is not one, is encrypted, or its structure had to be
/// guessed (a damaged cross-reference table), since an update to it would not verify.
fn load(document: &[u8]) -> Result<Document, SignError> {
    if !document.starts_with(b"%PDF-") {
        return Err(SignError::BadPdf(
            "the document is not a PDF (it does not start with %PDF-)".into(),
        ));
    }
    let doc = match Document::load_mem(document) {
        Ok(d) => d,
        Err(_) if contains(document, b"/Encrypt") => return Err(SignError::EncryptedPdf),
        Err(e) => return Err(broken(e)),
    };
    if doc.trailer.has(b"Encrypt") || doc.encryption_state.is_some() {
        return Err(SignError::EncryptedPdf);
    }
    if doc.xref_start == 0 {
        return Err(broken(
            "its cross-reference table is damaged; open and save it again in a PDF program",
        ));
    }
    Ok(doc)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle, 0).is_some()
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The PDF date of an instant, in UTC: `D:YYYYMMDDHHmmSS+00'00'`.
fn pdf_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+00'00'",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Whether the document carries a certification signature that permits no change at
/// all (ISO 32000-1 §12.8.2.2: `/Perms /DocMDP`, whose DocMDP transform has `/P 1`; a
/// missing `/P` means 2, which allows signing).
fn certified_without_changes(doc: &Document, catalog: &Dictionary) -> bool {
    fn dict<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
        doc.dereference(o).ok().and_then(|(_, o)| o.as_dict().ok())
    }
    let dict = |o| dict(doc, o);
    let Some(sig) = catalog
        .get(b"Perms")
        .ok()
        .and_then(dict)
        .and_then(|perms| perms.get(b"DocMDP").ok())
        .and_then(dict)
    else {
        return false;
    };
    let refs = sig
        .get(b"Reference")
        .ok()
        .and_then(|r| doc.dereference(r).ok())
        .and_then(|(_, r)| r.as_array().ok());
    refs.into_iter().flatten().filter_map(dict).any(|r| {
        r.get(b"TransformMethod")
            .ok()
            .and_then(|m| m.as_name().ok())
            == Some(b"DocMDP".as_slice())
            && r.get(b"TransformParams")
                .ok()
                .and_then(dict)
                .and_then(|p| p.get(b"P").ok())
                .and_then(|p| p.as_i64().ok())
                == Some(1)
    })
}

/// An array held directly or behind a reference, resolved to a copy.
fn array_of(doc: &Document, obj: Option<&Object>) -> Result<Vec<Object>, SignError> {
    match obj {
        None => Ok(Vec::new()),
        Some(o) => {
            let (_, o) = doc.dereference(o).map_err(broken)?;
            Ok(o.as_array().map_err(broken)?.clone())
        }
    }
}

/// Appends a signature field to the document's first page and AcroForm, with a `/Sig`
/// dictionary whose `/Contents` is a hole to fill. `name` names the field.
pub fn prepare(document: &[u8], name: &str, at: OffsetDateTime) -> Result<Prepared, SignError> {
    let doc = load(document)?;
    let root_id: ObjectId = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| broken("its trailer names no catalog"))?;
    let page_id = *doc
        .get_pages()
        .values()
        .next()
        .ok_or_else(|| SignError::BadPdf("the PDF has no pages to sign".into()))?;
    let catalog = doc.get_dictionary(root_id).map_err(broken)?.clone();
    if certified_without_changes(&doc, &catalog) {
        return Err(SignError::BadPdf(
            "the PDF is certified with no changes allowed (DocMDP P=1): a new signature would break its certification".into(),
        ));
    }
    let page = doc.get_dictionary(page_id).map_err(broken)?.clone();
    // The AcroForm: inline in the catalog, or its own object (then updated in place).
    let (form_id, mut form) = match catalog.get(b"AcroForm").ok() {
        Some(Object::Reference(id)) => {
            (Some(*id), doc.get_dictionary(*id).map_err(broken)?.clone())
        }
        Some(Object::Dictionary(d)) => (None, d.clone()),
        Some(_) => return Err(broken("its AcroForm is not a dictionary")),
        None => (None, Dictionary::new()),
    };
    let mut fields = array_of(&doc, form.get(b"Fields").ok())?;
    let mut annots = array_of(&doc, page.get(b"Annots").ok())?;

    let mut inc = IncrementalDocument::create_from(document.to_vec(), doc);
    let new = &mut inc.new_document;
    let sig_id = new.new_object_id();
    let field_id = new.new_object_id();
    let mut sig = Dictionary::new();
    sig.set("Type", Object::Name(b"Sig".to_vec()));
    sig.set("Filter", Object::Name(b"Adobe.PPKLite".to_vec()));
    sig.set("SubFilter", Object::Name(b"ETSI.CAdES.detached".to_vec()));
    let marks = Marks::new()?;
    sig.set("ByteRange", marks.range_object());
    sig.set("Contents", marks.contents_object());
    sig.set(
        "M",
        Object::String(pdf_date(at).into_bytes(), StringFormat::Literal),
    );
    new.set_object(sig_id, Object::Dictionary(sig));

    let mut field = Dictionary::new();
    field.set("Type", Object::Name(b"Annot".to_vec()));
    field.set("Subtype", Object::Name(b"Widget".to_vec()));
    field.set("FT", Object::Name(b"Sig".to_vec()));
    field.set(
        "T",
        Object::String(name.as_bytes().to_vec(), StringFormat::Literal),
    );
    field.set("V", Object::Reference(sig_id));
    field.set(
        "Rect",
        Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
    );
    // Print and Locked: an invisible signature that cannot be moved.
    field.set("F", Object::Integer(132));
    field.set("P", Object::Reference(page_id));
    new.set_object(field_id, Object::Dictionary(field));

    fields.push(Object::Reference(field_id));
    annots.push(Object::Reference(field_id));
    form.set("Fields", Object::Array(fields));
    // SignaturesExist | AppendOnly.
    form.set("SigFlags", Object::Integer(3));
    let mut catalog = catalog;
    match form_id {
        Some(id) => new.set_object(id, Object::Dictionary(form)),
        None => catalog.set("AcroForm", Object::Dictionary(form)),
    }
    new.set_object(root_id, Object::Dictionary(catalog));
    let mut page = page;
    page.set("Annots", Object::Array(annots));
    new.set_object(page_id, Object::Dictionary(page));

    let mut bytes = Vec::with_capacity(document.len() + 4 * CONTENTS_RESERVED);
    inc.save_to(&mut bytes).map_err(broken)?;
    fill_byte_range(bytes, document.len(), &marks)
}

/// Random marks in the placeholders, so that only the signature dictionary holds them:
/// a copied object of the original (the catalog, the page) might hold any fixed text.
struct Marks {
    /// The first bytes of `/Contents` (the rest is zeros).
    contents: [u8; 16],
    /// The three ByteRange numbers to replace, each of 10 digits.
    range: [i64; 3],
}

impl Marks {
    fn new() -> Result<Marks, SignError> {
        let mut random = [0u8; 16 + 3 * 8];
        aws_lc_rs::rand::fill(&mut random)
            .map_err(|_| SignError::Internal("the system random generator failed".into()))?;
        let mut contents = [0u8; 16];
        contents.copy_from_slice(&random[..16]);
        let mut range = [0i64; 3];
        for (i, r) in range.iter_mut().enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(&random[16 + 8 * i..24 + 8 * i]);
            // 1,000,000,000 ..= 9,999,999,999: ten digits, as wide as any real offset.
            *r = 1_000_000_000 + (u64::from_le_bytes(b) % 9_000_000_000) as i64;
        }
        Ok(Marks { contents, range })
    }

    fn contents_object(&self) -> Object {
        let mut v = vec![0; CONTENTS_RESERVED];
        v[..16].copy_from_slice(&self.contents);
        Object::String(v, StringFormat::Hexadecimal)
    }

    fn range_object(&self) -> Object {
        Object::Array(
            std::iter::once(Object::Integer(0))
                .chain(self.range.iter().map(|r| Object::Integer(*r)))
                .collect(),
        )
    }
}

/// The one place in `bytes` (from `from` on) where `needle` is; `None` when it is
/// missing or there twice.
fn find_once(bytes: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let at = find(bytes, needle, from)?;
    find(bytes, needle, at + 1).is_none().then_some(at)
}

/// Finds the hole and the ByteRange by their random marks in the appended update and
/// writes the real offsets.
fn fill_byte_range(
    mut bytes: Vec<u8>,
    original_len: usize,
    marks: &Marks,
) -> Result<Prepared, SignError> {
    let internal = |what: &str| SignError::Internal(format!("PAdES placement: {what}"));
    let mut hole_text = Vec::with_capacity(2 * CONTENTS_RESERVED + 2);
    hole_text.push(b'<');
    for b in marks.contents {
        hole_text.extend_from_slice(format!("{b:02x}").as_bytes());
    }
    hole_text.resize(2 * CONTENTS_RESERVED + 1, b'0');
    hole_text.push(b'>');
    let mut hole = find_once(&bytes, &hole_text, original_len);
    if hole.is_none() {
        // lopdf may write hex digits in upper case.
        hole_text.make_ascii_uppercase();
        hole = find_once(&bytes, &hole_text, original_len);
    }
    let start = hole.ok_or_else(|| internal("no single hole"))?;
    let end = start + hole_text.len();
    let [a, b, c] = marks.range;
    let marker = format!("0 {a} {b} {c}");
    let at = find_once(&bytes, marker.as_bytes(), original_len)
        .ok_or_else(|| internal("no single ByteRange"))?;
    let range = format!("0 {} {} {}", start, end, bytes.len() - end);
    if range.len() > marker.len() {
        return Err(internal("the file is too large for its ByteRange"));
    }
    let padded = format!("{range:<width$}", width = marker.len());
    bytes[at..at + marker.len()].copy_from_slice(padded.as_bytes());
    // The hole is zeros again, then filled with the CMS.
    for d in &mut bytes[start + 1..end - 1] {
        *d = b'0';
    }
    Ok(Prepared {
        bytes,
        hole: (start, end),
    })
}

impl Prepared {
    /// The two parts the signature covers: everything before and after the hole.
    pub fn covered(&self) -> [&[u8]; 2] {
        [&self.bytes[..self.hole.0], &self.bytes[self.hole.1..]]
    }

    /// Writes the CMS into the hole (hex, zero-padded) and returns the signed PDF.
    pub fn finish(mut self, cms: &[u8]) -> Result<Vec<u8>, SignError> {
        if cms.len() > CONTENTS_RESERVED {
            return Err(SignError::Internal(format!(
                "the CMS ({} bytes) does not fit the {CONTENTS_RESERVED} bytes reserved",
                cms.len()
            )));
        }
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut at = self.hole.0 + 1;
        for b in cms {
            self.bytes[at] = HEX[usize::from(b >> 4)];
            self.bytes[at + 1] = HEX[usize::from(b & 0x0f)];
            at += 2;
        }
        Ok(self.bytes)
    }
}
