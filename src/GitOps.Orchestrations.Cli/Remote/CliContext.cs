using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitOps.Orchestrations.Cli.Remote;

/// <summary>
/// The server <c>gitops login</c> remembered, and the credential to reach it with, so that the
/// remote commands need neither <c>--server</c> nor a key on every line. Kept in
/// <c>$GITOPS_CONFIG</c>, else <c>$XDG_CONFIG_HOME/gitops/config.json</c> (<c>~/.config</c>), readable
/// by its owner only, as kubectl keeps its kubeconfig.
/// </summary>
internal sealed record CliContext
{
    public const string EnvironmentVariable = "GITOPS_CONFIG";

    /// <summary>A context file larger than this was not written by <c>gitops login</c>.</summary>
    const int MaxBytes = 64 * 1024;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string? Server { get; init; }

    public string? ApiKey { get; init; }

    public string? Token { get; init; }

    public static string FilePath => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given
        ? given
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify), "gitops", "config.json");

    /// <summary>The saved context, or an empty one when there is none or it cannot be read (the commands then say what is missing).</summary>
    public static CliContext Load()
    {
        try
        {
            var file = new FileInfo(FilePath);
            return file.Exists && file.Length <= MaxBytes ? JsonSerializer.Deserialize<CliContext>(File.ReadAllText(file.FullName), Json) ?? new() : new();
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return new();
        }
    }

    public void Save()
    {
        string path = Path.GetFullPath(FilePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: true);
    }

    public static bool Delete()
    {
        if (!File.Exists(FilePath))
        {
            return false;
        }

        File.Delete(FilePath);
        return true;
    }
}
