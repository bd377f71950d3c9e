using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace GitOps.Orchestrations.Delivery.Secrets;

/// <summary>One private key of the ring: its name (the file it came from) and the key.</summary>
public sealed record SealingKey(string Name, RsaPrivateCrtKeyParameters PrivateKey)
{
    public RsaKeyParameters PublicKey { get; } = new(false, PrivateKey.Modulus, PrivateKey.PublicExponent);

    public override string ToString() => Name;
}

/// <summary>
/// The private keys this server unseals with, as the Sealed Secrets controller keeps them across
/// rotations: every key unseals, the newest seals. Keys are PEM files (PKCS#1 or PKCS#8) in one
/// folder, newest last by file name (name them by date: <c>2026-12-01.key</c>). A key is never
/// logged, shown or written anywhere by the engine (docs/secrets.md).
/// </summary>
public sealed class SealingKeyRing
{
    public const int MaxKeys = 64;

    public static readonly SealingKeyRing Empty = new([]);

    SealingKeyRing(IReadOnlyList<SealingKey> keys) => Keys = keys;

    /// <summary>Oldest first; the last is the newest.</summary>
    public IReadOnlyList<SealingKey> Keys { get; }

    public SealingKey? Newest => Keys.Count == 0 ? null : Keys[^1];

    public static SealingKeyRing FromPem(IEnumerable<(string Name, string Pem)> keys) =>
        new([.. keys.Select(k => new SealingKey(k.Name, ReadPrivateKey(k.Name, k.Pem)))]);

    /// <summary>Every <c>*.key</c> and <c>*.pem</c> file of a folder (or one file); an unreadable key stops the load.</summary>
    public static SealingKeyRing Load(string path)
    {
        string[] files = File.Exists(path)
            ? [path]
            : Directory.Exists(path)
                ? [.. Directory.EnumerateFiles(path).Where(f => f.EndsWith(".key", StringComparison.Ordinal) || f.EndsWith(".pem", StringComparison.Ordinal)).Order(StringComparer.Ordinal)]
                : throw new ArgumentException($"no sealing key file or folder '{path}'");
        if (files.Length == 0 || files.Length > MaxKeys)
        {
            throw new ArgumentException($"'{path}' holds {files.Length} key files; between 1 and {MaxKeys} are needed");
        }

        return FromPem(files.Select(f => (Path.GetFileName(f), File.ReadAllText(f))));
    }

    static RsaPrivateCrtKeyParameters ReadPrivateKey(string name, string pem)
    {
        using RSA rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            AsymmetricCipherKeyPair pair = DotNetUtilities.GetRsaKeyPair(rsa);
            return (RsaPrivateCrtKeyParameters)pair.Private;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException or InvalidCastException)
        {
            // The reason, never the text: a damaged key file is still a key file.
            throw new ArgumentException($"sealing key '{name}' is not a PEM RSA private key ({e.GetType().Name})");
        }
    }

    /// <summary>The public key of a certificate (the controller's <c>cert.pem</c>) or of a PEM public key, for sealing.</summary>
    public static RsaKeyParameters ReadPublicKey(string pem)
    {
        try
        {
            if (pem.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal))
            {
                using X509Certificate2 certificate = X509Certificate2.CreateFromPem(pem);
                using RSA fromCertificate = certificate.GetRSAPublicKey() ?? throw new ArgumentException("the certificate's key is not RSA");
                return DotNetUtilities.GetRsaPublicKey(fromCertificate);
            }

            using RSA rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return DotNetUtilities.GetRsaPublicKey(rsa);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"not a PEM certificate or RSA key: {e.Message}");
        }
    }
}
