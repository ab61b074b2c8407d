//! The parts of an X.509 certificate this crate reads: issuer, subject and public key.

use crate::der::{DerError, Reader, SEQUENCE};

/// The fields of a certificate's `tbsCertificate` that this crate reads, as DER.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CertificateParts<'a> {
    /// The issuer Name's contents (its RDNs).
    pub(crate) issuer: &'a [u8],
    /// The subject Name's contents.
    pub(crate) subject: &'a [u8],
    /// The SubjectPublicKeyInfo's contents (algorithm, key).
    pub(crate) public_key: &'a [u8],
}

impl<'a> CertificateParts<'a> {
    pub(crate) fn read(der: &'a [u8]) -> Result<Self, DerError> {
        let cert = crate::der::single(der, SEQUENCE, "the certificate")?;
        let tbs = Reader::new(cert).expect(SEQUENCE, "the certificate's tbsCertificate")?;
        let mut fields = Reader::new(tbs);
        // An explicit [0] version comes first when present.
        fields.optional(0xa0, "the certificate's version")?;
        let _serial = fields.any().map_err(|e| DerError(format!("the serial number: {e}")))?;
        fields.expect(SEQUENCE, "the signature algorithm")?;
        let issuer = fields.expect(SEQUENCE, "the issuer")?;
        fields.expect(SEQUENCE, "the validity")?;
        let subject = fields.expect(SEQUENCE, "the subject")?;
        let public_key = fields.expect(SEQUENCE, "the subject public key info")?;
        Ok(CertificateParts { issuer, subject, public_key })
    }
}
