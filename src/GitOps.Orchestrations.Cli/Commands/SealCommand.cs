using System.CommandLine;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Delivery.Secrets;
using Org.BouncyCastle.Crypto.Parameters;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// <c>gitops seal FILE</c>: a Secret sealed into a SealedSecret the Sealed Secrets controller (or a
/// gitops server holding the private key) unseals, as <c>kubeseal</c> writes it. The plaintext is
/// read from the file or standard input and never written anywhere; only the sealed YAML is printed.
/// </summary>
internal static class SealCommand
{
    const int MaxInputBytes = 2 * 1024 * 1024;

    public static Command Create()
    {
        Argument<string> file = new("file") { Description = "A YAML file holding one v1 Secret, or - for standard input" };
        Option<string?> cert = new("--cert") { Description = "The controller's certificate (cert.pem) or a PEM public key to seal for" };
        Option<string?> keys = new("--keys") { Description = "A folder of sealing keys (as the server's SealingKeys): seal for the newest" };
        Option<string> scope = new("--scope") { Description = "strict (this name and namespace), namespace-wide or cluster-wide", DefaultValueFactory = _ => "strict" };
        Option<string?> ns = new("--namespace") { Description = "The namespace, where the Secret names none" };
        Command command = new("seal", "Seal a Secret into a SealedSecret (kubeseal's format)") { file, cert, keys, scope, ns };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                if ((parse.GetValue(cert) is null) == (parse.GetValue(keys) is null))
                {
                    Console.Error.WriteLine("error: give exactly one of --cert and --keys");
                    return ExitCodes.Usage;
                }

                RsaKeyParameters publicKey = parse.GetValue(cert) is string certFile
                    ? SealingKeyRing.ReadPublicKey(await File.ReadAllTextAsync(certFile, cancellationToken))
                    : SealingKeyRing.Load(parse.GetValue(keys)!).Newest!.PublicKey;
                string path = parse.GetValue(file)!;
                string text = path == "-" ? await ReadBoundedAsync(Console.In, cancellationToken) : await File.ReadAllTextAsync(path, cancellationToken);
                var problems = new List<Diagnostic>();
                IReadOnlyList<Manifest> read = ManifestReader.Read(path == "-" ? "stdin" : path, text, problems);
                if (problems.Count > 0 || read.Count != 1)
                {
                    Console.Error.WriteLine(problems.Count > 0 ? string.Join("\n", problems) : $"error: {path} holds {read.Count} objects; seal one Secret at a time");
                    return ExitCodes.Failed;
                }

                JsonObject sealedSecret = SealedSecrets.Seal(read[0].Body, publicKey, SealedSecretFormat.ParseScope(parse.GetValue(scope)!), parse.GetValue(ns));
                Console.Out.Write(CanonicalYaml.Write(sealedSecret));
                return ExitCodes.Succeeded;
            }
            catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }

    static async Task<string> ReadBoundedAsync(TextReader reader, CancellationToken cancellationToken)
    {
        char[] buffer = new char[MaxInputBytes + 1];
        int total = 0, read;
        while (total <= MaxInputBytes && (read = await reader.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }

        return total > MaxInputBytes ? throw new ArgumentException($"standard input holds more than {MaxInputBytes} characters") : new string(buffer, 0, total);
    }
}
