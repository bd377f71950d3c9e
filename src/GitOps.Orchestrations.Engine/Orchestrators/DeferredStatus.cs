using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitOps.Orchestrations.Engine.Orchestrators;

/// <summary>
/// An orchestration's custom status, built when Durable Task serializes it at the end of an
/// episode rather than when it is set. Durable Task keeps the status the episode set last, and an
/// episode in which the orchestrator only replays (a cancelled timer firing, say) would otherwise
/// set none and wipe the status; setting this on every publish, replaying or not, costs nothing
/// until the one serialization per episode.
/// </summary>
[JsonConverter(typeof(DeferredStatusConverter))]
internal sealed class DeferredStatus(Func<object> build)
{
    public object Build() => build();

    sealed class DeferredStatusConverter : JsonConverter<DeferredStatus>
    {
        public override DeferredStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("a deferred status is only written; read the type it builds");

        public override void Write(Utf8JsonWriter writer, DeferredStatus value, JsonSerializerOptions options)
        {
            object built = value.Build();
            JsonSerializer.Serialize(writer, built, built.GetType(), options);
        }
    }
}
