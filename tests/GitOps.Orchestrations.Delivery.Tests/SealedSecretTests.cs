using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Delivery.Secrets;
using Org.BouncyCastle.Crypto.Parameters;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>
/// Sealing and unsealing in kubeseal's format: every scope round-trips, a value moved to another
/// name, namespace or scope does not decrypt, a corrupt or foreign value fails naming its object and
/// key, rotated keys still unseal, and OpenSSL's RSA-OAEP reads and writes the same key block.
/// </summary>
public sealed class SealedSecretTests
{
    const string Password = "s3cret-Value-4711";

    static readonly Lazy<(string Pem, SealingKeyRing Ring)> KeyA = new(() => NewKey("2026-01-01.key"));
    static readonly Lazy<(string Pem, SealingKeyRing Ring)> KeyB = new(() => NewKey("2026-06-01.key"));

    static (string Pem, SealingKeyRing Ring) NewKey(string name)
    {
        using RSA rsa = RSA.Create(2048);
        string pem = rsa.ExportRSAPrivateKeyPem();
        return (pem, SealingKeyRing.FromPem([(name, pem)]));
    }

    static JsonObject Secret(string name = "db", string ns = "shop") => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = new JsonObject { ["app"] = "shop" } },
        ["type"] = "kubernetes.io/basic-auth",
        ["stringData"] = new JsonObject { ["password"] = Password },
        ["data"] = new JsonObject { ["username"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("admin")) },
    };

    static ManifestSet Set(params JsonObject[] objects) => ManifestSet.Build(objects.Select((o, i) => new Manifest(o, $"app/sealed.yaml:{i + 1}:1")), ManifestOverrides.None);

    static RsaKeyParameters Public(SealingKeyRing ring) => ring.Newest!.PublicKey;

    [Theory]
    [InlineData(SealingScope.Strict)]
    [InlineData(SealingScope.NamespaceWide)]
    [InlineData(SealingScope.ClusterWide)]
    public void Each_scope_unseals_to_the_secret_it_sealed(SealingScope scope)
    {
        JsonObject sealedSecret = SealedSecrets.Seal(Secret(), Public(KeyA.Value.Ring), scope, null);
        Assert.DoesNotContain(Password, sealedSecret.ToJsonString());

        ManifestSet unsealed = new SealedSecrets(KeyA.Value.Ring).Unseal(Set(sealedSecret), "default");

        JsonObject secret = Assert.Single(unsealed.Objects).Body;
        Assert.Equal("Secret", (string?)secret["kind"]);
        Assert.Equal("shop", (string?)secret["metadata"]!["namespace"]);
        Assert.Equal("shop", (string?)secret["metadata"]!["labels"]!["app"]);
        Assert.Equal("kubernetes.io/basic-auth", (string?)secret["type"]);
        Assert.Equal(Password, Encoding.UTF8.GetString(Convert.FromBase64String((string)secret["data"]!["password"]!)));
        Assert.Equal("admin", Encoding.UTF8.GetString(Convert.FromBase64String((string)secret["data"]!["username"]!)));
    }

    [Theory]
    [InlineData(SealingScope.Strict, "db2", "shop", false)]
    [InlineData(SealingScope.Strict, "db", "other", false)]
    [InlineData(SealingScope.NamespaceWide, "db2", "shop", true)]
    [InlineData(SealingScope.NamespaceWide, "db", "other", false)]
    [InlineData(SealingScope.ClusterWide, "db2", "other", true)]
    public void A_value_moved_outside_its_scope_does_not_unseal(SealingScope scope, string name, string ns, bool unseals)
    {
        JsonObject moved = SealedSecrets.Seal(Secret(), Public(KeyA.Value.Ring), scope, null);
        moved["metadata"]!["name"] = name;
        moved["metadata"]!["namespace"] = ns;
        var sealedSecrets = new SealedSecrets(KeyA.Value.Ring);
        if (unseals)
        {
            Assert.Equal(name, (string?)Assert.Single(sealedSecrets.Unseal(Set(moved), null).Objects).Body["metadata"]!["name"]);
            return;
        }

        ManifestException refused = Assert.Throws<ManifestException>(() => sealedSecrets.Unseal(Set(moved), null));
        Assert.Contains($"SealedSecret/{ns}/{name} (app/sealed.yaml:1:1): no sealing key of this server unseals encryptedData key 'password'", refused.Message);
        Assert.DoesNotContain(Password, refused.Message);
    }

    [Fact]
    public void A_scope_annotation_changed_after_sealing_does_not_widen_it()
    {
        JsonObject widened = SealedSecrets.Seal(Secret(), Public(KeyA.Value.Ring), SealingScope.Strict, null);
        widened["metadata"]!["annotations"] = new JsonObject { [SealedSecretFormat.ClusterWideAnnotation] = "true" };
        ManifestException refused = Assert.Throws<ManifestException>(() => new SealedSecrets(KeyA.Value.Ring).Unseal(Set(widened), null));
        Assert.Contains("under cluster-wide scope as any name", refused.Message);
    }

    [Fact]
    public void A_corrupt_value_a_foreign_key_and_a_missing_key_ring_each_fail_naming_the_object()
    {
        JsonObject sealedSecret = SealedSecrets.Seal(Secret(), Public(KeyA.Value.Ring), SealingScope.Strict, null);
        JsonObject corrupt = (JsonObject)sealedSecret.DeepClone();
        byte[] bytes = Convert.FromBase64String((string)corrupt["spec"]!["encryptedData"]!["password"]!);
        bytes[^3] ^= 0x40;
        corrupt["spec"]!["encryptedData"]!["password"] = Convert.ToBase64String(bytes);
        Assert.Contains("SealedSecret/shop/db (app/sealed.yaml:1:1): a sealed value is corrupt", Assert.Throws<ManifestException>(() => new SealedSecrets(KeyA.Value.Ring).Unseal(Set(corrupt), null)).Message);

        JsonObject cut = (JsonObject)sealedSecret.DeepClone();
        cut["spec"]!["encryptedData"]!["password"] = Convert.ToBase64String(bytes[..40]);
        Assert.Contains("is not in the sealed format", Assert.Throws<ManifestException>(() => new SealedSecrets(KeyA.Value.Ring).Unseal(Set(cut), null)).Message);

        JsonObject notBase64 = (JsonObject)sealedSecret.DeepClone();
        notBase64["spec"]!["encryptedData"]!["password"] = "%%%";
        Assert.Contains("encryptedData key 'password' is not base64", Assert.Throws<ManifestException>(() => new SealedSecrets(KeyA.Value.Ring).Unseal(Set(notBase64), null)).Message);

        Assert.Contains("no sealing key of this server unseals", Assert.Throws<ManifestException>(() => new SealedSecrets(KeyB.Value.Ring).Unseal(Set(sealedSecret), null)).Message);
        Assert.Contains("this server has no sealing keys", Assert.Throws<ManifestException>(() => new SealedSecrets(SealingKeyRing.Empty).Unseal(Set(sealedSecret), null)).Message);
    }

    [Fact]
    public void Every_key_of_the_ring_unseals_and_the_newest_seals()
    {
        SealingKeyRing ring = SealingKeyRing.FromPem([("2026-01-01.key", KeyA.Value.Pem), ("2026-06-01.key", KeyB.Value.Pem)]);
        Assert.Equal("2026-06-01.key", ring.Newest!.Name);
        JsonObject old = SealedSecrets.Seal(Secret("old"), Public(KeyA.Value.Ring), SealingScope.Strict, null);
        JsonObject fresh = SealedSecrets.Seal(Secret("fresh"), ring.Newest.PublicKey, SealingScope.Strict, null);
        ManifestSet unsealed = new SealedSecrets(ring).Unseal(Set(old, fresh), null);
        Assert.Equal(2, unsealed.Objects.Count(o => o.Kind == "Secret"));
        Assert.Throws<ManifestException>(() => new SealedSecrets(KeyA.Value.Ring).Unseal(Set(fresh), null));
    }

    [Fact]
    public void One_bad_sealed_secret_refuses_the_whole_set()
    {
        JsonObject good = SealedSecrets.Seal(Secret("good"), Public(KeyA.Value.Ring), SealingScope.Strict, null);
        JsonObject bad = SealedSecrets.Seal(Secret("bad"), Public(KeyB.Value.Ring), SealingScope.Strict, null);
        ManifestException refused = Assert.Throws<ManifestException>(() => new SealedSecrets(KeyA.Value.Ring).Unseal(Set(good, bad), null));
        Assert.Single(refused.Errors);
        Assert.Contains("SealedSecret/shop/bad", refused.Errors[0]);
    }

    [Fact]
    public void Unsupported_forms_are_refused_by_name()
    {
        JsonObject templated = SealedSecrets.Seal(Secret(), Public(KeyA.Value.Ring), SealingScope.Strict, null);
        templated["spec"]!["template"]!["data"] = new JsonObject { ["url"] = "postgres://{{ .password }}@db" };
        Assert.Contains("spec.template.data (templated values) is not supported", Assert.Throws<ManifestException>(() => new SealedSecrets(KeyA.Value.Ring).Unseal(Set(templated), null)).Message);
        Assert.Throws<ArgumentException>(() => SealingKeyRing.FromPem([("broken.key", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n")]));
    }

    /// <summary>
    /// The key block against an independent implementation: OpenSSL's RSA-OAEP with SHA-256 and the
    /// scope's label unwraps the session key this engine sealed, and wraps one this engine unseals.
    /// </summary>
    [Fact]
    public async Task OpenSSL_reads_and_writes_the_same_key_block()
    {
        string work = Directory.CreateTempSubdirectory("gitops-openssl-").FullName;
        try
        {
            string keyFile = Path.Combine(work, "key.pem");
            await File.WriteAllTextAsync(keyFile, KeyA.Value.Pem);
            byte[] label = SealedSecretFormat.Label("shop", "db", SealingScope.Strict);
            string[] oaep = ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256", "-pkeyopt", $"rsa_oaep_label:{Convert.ToHexStringLower(label)}"];

            // This engine seals; OpenSSL unwraps the session key; AES-GCM with it gives the value.
            byte[] sealedValue = HybridCrypto.Encrypt(Public(KeyA.Value.Ring), Encoding.UTF8.GetBytes(Password), label);
            int wrappedLength = (sealedValue[0] << 8) | sealedValue[1];
            await File.WriteAllBytesAsync(Path.Combine(work, "wrapped.bin"), sealedValue[2..(2 + wrappedLength)]);
            await OpenSslAsync(work, ["pkeyutl", "-decrypt", "-inkey", keyFile, "-in", "wrapped.bin", "-out", "session.bin", .. oaep]);
            byte[] session = await File.ReadAllBytesAsync(Path.Combine(work, "session.bin"));
            Assert.Equal(HybridCrypto.SessionKeyBytes, session.Length);
            byte[] body = sealedValue[(2 + wrappedLength)..];
            byte[] plaintext = new byte[body.Length - 16];
            using (var aes = new AesGcm(session, 16))
            {
                aes.Decrypt(new byte[12], body[..^16], body[^16..], plaintext);
            }

            Assert.Equal(Password, Encoding.UTF8.GetString(plaintext));

            // OpenSSL wraps a session key; the frame around it is kubeseal's; this engine unseals it.
            byte[] mine = RandomNumberGenerator.GetBytes(HybridCrypto.SessionKeyBytes);
            await File.WriteAllBytesAsync(Path.Combine(work, "mine.bin"), mine);
            await OpenSslAsync(work, ["pkeyutl", "-encrypt", "-inkey", keyFile, "-in", "mine.bin", "-out", "mine-wrapped.bin", .. oaep]);
            byte[] wrapped = await File.ReadAllBytesAsync(Path.Combine(work, "mine-wrapped.bin"));
            byte[] value = Encoding.UTF8.GetBytes("from-openssl");
            byte[] frame = new byte[2 + wrapped.Length + value.Length + 16];
            frame[0] = (byte)(wrapped.Length >> 8);
            frame[1] = (byte)wrapped.Length;
            wrapped.CopyTo(frame, 2);
            using (var aes = new AesGcm(mine, 16))
            {
                aes.Encrypt(new byte[12], value, frame.AsSpan(2 + wrapped.Length, value.Length), frame.AsSpan(2 + wrapped.Length + value.Length));
            }

            Assert.Equal("from-openssl", Encoding.UTF8.GetString(HybridCrypto.TryDecrypt(KeyA.Value.Ring.Newest!.PrivateKey, frame, label)!));
            Assert.Null(HybridCrypto.TryDecrypt(KeyA.Value.Ring.Newest!.PrivateKey, frame, SealedSecretFormat.Label("shop", "other", SealingScope.Strict)));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    static async Task OpenSslAsync(string folder, string[] args)
    {
        var start = new ProcessStartInfo("openssl") { WorkingDirectory = folder, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', args)}: {error}");
    }
}
