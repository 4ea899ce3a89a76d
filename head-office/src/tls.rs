//! Certificates for a quick start and for tests (rcgen): a private CA and a server certificate it
//! signs, so a client trusts the CA rather than a leaf.

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

/// A server certificate for `hosts` (names or IP addresses).
pub struct Made {
    /// The CA certificate a client trusts (PEM).
    pub ca_pem: String,
    /// The server's certificate chain (leaf then CA, PEM) and key (PEM).
    pub cert_pem: String,
    pub key_pem: String,
}

pub fn make(hosts: &[String]) -> anyhow::Result<Made> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "hall-hq local CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;
    let mut params = CertificateParams::new(hosts.to_vec())?;
    params.distinguished_name.push(DnType::CommonName, hosts.first().map_or("hall-hq", String::as_str));
    let key = KeyPair::generate()?;
    let leaf = params.signed_by(&key, &ca)?;
    Ok(Made { ca_pem: ca.pem(), cert_pem: format!("{}{}", leaf.pem(), ca.pem()), key_pem: key.serialize_pem() })
}

/// (certificate chain PEM, key PEM) for `hall-hq cert` and `scripts/head-office.sh`.
pub fn self_signed(hosts: &[String]) -> anyhow::Result<(String, String)> {
    let made = make(hosts)?;
    Ok((made.cert_pem, made.key_pem))
}
