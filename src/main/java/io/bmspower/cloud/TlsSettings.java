package io.bmspower.cloud;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for cloud calls: the JDK's trusted CAs, plus an optional extra CA bundle (PEM). Turning
 * verification off is explicit and logged at WARN every time a context is built.
 */
public record TlsSettings(Path extraCaPem, boolean insecureSkipVerify) {

  private static final Logger LOG = LoggerFactory.getLogger(TlsSettings.class);

  public static TlsSettings verified() {
    return new TlsSettings(null, false);
  }

  public SSLContext sslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      if (insecureSkipVerify) {
        LOG.warn("TLS certificate verification of cloud endpoints is OFF (insecure setting)");
        context.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
      } else if (extraCaPem != null) {
        context.init(null, trustManagersWithExtraCa(), new SecureRandom());
      } else {
        context.init(null, null, null);
      }
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  private TrustManager[] trustManagersWithExtraCa() throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    TrustManagerFactory defaults =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    defaults.init((KeyStore) null);
    int i = 0;
    for (TrustManager tm : defaults.getTrustManagers()) {
      if (tm instanceof X509TrustManager x509) {
        for (X509Certificate ca : x509.getAcceptedIssuers()) {
          store.setCertificateEntry("default-" + i++, ca);
        }
      }
    }
    try (InputStream in = Files.newInputStream(extraCaPem)) {
      for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("extra-" + i++, ca);
      }
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return factory.getTrustManagers();
  }

  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
