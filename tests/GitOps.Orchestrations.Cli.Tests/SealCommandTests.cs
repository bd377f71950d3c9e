using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Delivery.Secrets;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary><c>gitops seal</c>: what it prints unseals with the matching key under the scope asked for, and holds no plaintext.</summary>
public sealed class SealCommandTests : IDisposable
{
    const string Password = "cli-sealed-Value-88";
    readonly string work = Directory.CreateTempSubdirectory("gitops-seal-").FullName;
    readonly string keyPem;

    public SealCommandTests()
    {
        using RSA rsa = RSA.Create(2048);
        keyPem = rsa.ExportRSAPrivateKeyPem();
        Directory.CreateDirectory(Path.Combine(work, "keys"));
        File.WriteAllText(Path.Combine(work, "keys", "2026-12-01.key"), keyPem);
        var request = new CertificateRequest("CN=sealed-secret", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        File.WriteAllText(Path.Combine(work, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(work, "secret.yaml"), $"apiVersion: v1\nkind: Secret\nmetadata: {{name: api-token}}\nstringData: {{token: {Password}}}\n");
    }

    public void Dispose() => Directory.Delete(work, recursive: true);

    static ManifestSet Read(string yaml)
    {
        var problems = new List<Diagnostic>();
        IReadOnlyList<Manifest> manifests = ManifestReader.Read("sealed.yaml", yaml, problems);
        Assert.Empty(problems);
        return ManifestSet.Build(manifests, ManifestOverrides.None);
    }

    [Theory]
    [InlineData("--keys", "keys", "namespace-wide", "sealedsecrets.bitnami.com/namespace-wide")]
    [InlineData("--cert", "cert.pem", "strict", null)]
    [InlineData("--cert", "cert.pem", "cluster-wide", "sealedsecrets.bitnami.com/cluster-wide")]
    public async Task The_sealed_secret_unseals_with_the_matching_key_and_holds_no_plaintext(string option, string value, string scope, string? annotation)
    {
        CliResult sealedOutput = await Gitops.RunAsync(["seal", Path.Combine(work, "secret.yaml"), option, Path.Combine(work, value), "--scope", scope, "--namespace", "team-a"]);

        Assert.True(sealedOutput.ExitCode == 0, sealedOutput.Stderr);
        Assert.DoesNotContain(Password, sealedOutput.Stdout + sealedOutput.Stderr);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Password)), sealedOutput.Stdout);
        Assert.Contains("kind: SealedSecret", sealedOutput.Stdout);
        if (annotation is not null)
        {
            Assert.Contains(annotation, sealedOutput.Stdout);
        }

        SealingKeyRing ring = SealingKeyRing.FromPem([("k", keyPem)]);
        Manifest secret = Assert.Single(new SealedSecrets(ring).Unseal(Read(sealedOutput.Stdout), null).Objects);
        Assert.Equal("team-a", secret.Namespace);
        Assert.Equal(Password, Encoding.UTF8.GetString(Convert.FromBase64String((string)secret.Body["data"]!["token"]!)));
    }

    [Fact]
    public async Task Without_a_key_or_with_a_broken_one_it_says_so_and_prints_nothing()
    {
        CliResult neither = await Gitops.RunAsync(["seal", Path.Combine(work, "secret.yaml")]);
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("give exactly one of --cert and --keys", neither.Stderr);

        File.WriteAllText(Path.Combine(work, "broken.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        CliResult broken = await Gitops.RunAsync(["seal", Path.Combine(work, "secret.yaml"), "--cert", Path.Combine(work, "broken.pem"), "--namespace", "a"]);
        Assert.Equal(1, broken.ExitCode);
        Assert.Equal(string.Empty, broken.Stdout);

        CliResult noNamespace = await Gitops.RunAsync(["seal", Path.Combine(work, "secret.yaml"), "--keys", Path.Combine(work, "keys")]);
        Assert.Equal(1, noNamespace.ExitCode);
        Assert.Contains("names no namespace", noNamespace.Stderr);
    }
}
